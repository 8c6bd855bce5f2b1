package vision

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenFileRefuses opens what is not a photo file: each is refused
// before a byte is read, and none blocks (a FIFO without a writer blocks
// an ordinary open for ever; /dev/zero never ends). On the code before
// OpenFile, Load blocked on the FIFOs and read /dev/zero up to 512 MiB.
func TestOpenFileRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.jpg")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.jpg") // sparse: 4 GB on disk costs nothing
	if err := os.WriteFile(big, []byte("\xff\xd8\xff"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 4<<30); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{"zero.jpg": "/dev/zero", "fifo-link.jpg": fifo, "dir.jpg": dir, "big-link.jpg": big}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		want error
	}{
		{"fifo.jpg", ErrNotRegular},
		{"fifo-link.jpg", ErrNotRegular},
		{"zero.jpg", ErrNotRegular},
		{"dir.jpg", ErrNotRegular},
		{"big.jpg", ErrTooLarge},
		{"big-link.jpg", ErrTooLarge},
		{"missing.jpg", fs.ErrNotExist},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name)
			done := make(chan error, 1)
			go func() {
				_, err := Load(path)
				done <- err
			}()
			select {
			case err := <-done:
				t.Logf("%s: %v", c.name, err)
				if !errors.Is(err, c.want) {
					t.Errorf("error %v, want %v", err, c.want)
				}
			case <-time.After(time.Minute):
				t.Fatalf("Load(%s) still running after a minute", c.name)
			}
		})
	}
}

// TestFileReadCancelled reads a file after its context is cancelled: the
// read stops with the context's error.
func TestFileReadCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(path, make([]byte, 3<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f, err := OpenFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 2<<20)
	if n, err := f.Read(buf); err != nil || n != 1<<20 {
		t.Fatalf("first read: %d bytes, %v; want one chunk of 1 MiB", n, err)
	}
	cancel()
	if n, err := io.ReadFull(f, buf); !errors.Is(err, context.Canceled) || n != 0 {
		t.Errorf("read after cancel: %d bytes, %v; want context.Canceled", n, err)
	}
	if _, err := OpenFile(ctx, path); !errors.Is(err, context.Canceled) {
		t.Errorf("open after cancel: %v, want context.Canceled", err)
	}
}
