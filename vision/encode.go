package vision

import (
	"bufio"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
)

// ExportQuality is the JPEG quality of exported photos.
const ExportQuality = 90

// EncodeClean writes img as a new baseline JPEG at ExportQuality, encoded
// from its pixels by libjpeg-turbo with only the image's own segments
// (SOI, DQT, SOF0, DHT, SOS, EOI): no JFIF, EXIF, XMP, IPTC, ICC profile,
// comment or thumbnail, and nothing after the end marker. The package
// tests verify this with a marker walk and ExifTool.
func EncodeClean(w io.Writer, img image.Image) error {
	data, err := encodeJPEG(toNRGBA(img), ExportQuality)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("encode jpeg: %w", err)
	}
	return nil
}

// WriteCleanFile encodes img with EncodeClean to a temporary file next to
// path and renames it to path once complete, so a crash never leaves a
// half-written export under the final name.
func WriteCleanFile(path string, img image.Image) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".photovet-*.jpg.part")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	buf := bufio.NewWriterSize(tmp, 1<<20)
	if err := EncodeClean(buf, img); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := buf.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
