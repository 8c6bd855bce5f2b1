package vision

import (
	"context"
	"fmt"
	"os"
	"syscall"
)

// readChunk bounds one read from a photo file, so that a cancelled context
// stops a read within a mebibyte.
const readChunk = 1 << 20

// File is a photo file opened by OpenFile. Its reads stop with the
// context's error once the context is cancelled.
type File struct {
	ctx context.Context
	f   *os.File
}

// OpenFile opens the photo file at path for reading, the one way PhotoVet
// opens a photo. It refuses, before reading a byte, anything but a regular
// file (ErrNotRegular; a link is followed and its target checked) and a
// file above 512 MiB (ErrTooLarge). The open cannot block: it is non-blocking,
// and the opened file is checked again, so a FIFO swapped in for the file
// after the first check is refused too.
func OpenFile(ctx context.Context, path string) (*File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open photo: %w", err)
	}
	if err := checkFileInfo(path, info); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open photo: %w", err)
	}
	info, err = f.Stat()
	if err == nil {
		err = checkFileInfo(path, info)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{ctx: ctx, f: f}, nil
}

func checkFileInfo(path string, info os.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("open photo %s: %w (%s)", path, ErrNotRegular, fileKind(info.Mode()))
	}
	if info.Size() > maxFileBytes {
		return fmt.Errorf("open photo %s: %w: the file has %d MiB, the limit is %d MiB",
			path, ErrTooLarge, info.Size()>>20, maxFileBytes>>20)
	}
	return nil
}

// fileKind names what a non-regular file is, for the error.
func fileKind(mode os.FileMode) string {
	switch {
	case mode.IsDir():
		return "a folder"
	case mode&os.ModeNamedPipe != 0:
		return "a FIFO"
	case mode&os.ModeSocket != 0:
		return "a socket"
	case mode&os.ModeDevice != 0:
		return "a device"
	}
	return "mode " + mode.String()
}

// Read reads at most a mebibyte, or returns the context's error once it is
// cancelled.
func (f *File) Read(p []byte) (int, error) {
	if err := f.ctx.Err(); err != nil {
		return 0, err
	}
	if len(p) > readChunk {
		p = p[:readChunk]
	}
	return f.f.Read(p)
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }
