package vision

import (
	"fmt"
	"image"
	"io"
)

// ExportQuality is the JPEG quality of exported photos.
const ExportQuality = 90

// EncodeClean writes img as a new baseline JPEG at ExportQuality, encoded
// from its pixels by libjpeg-turbo with only the image's own segments
// (SOI, DQT, SOF0, DHT, SOS, EOI): no JFIF, EXIF, XMP, IPTC, ICC profile,
// comment or thumbnail, and nothing after the end marker. The package
// tests verify this with a marker walk and ExifTool.
func EncodeClean(w io.Writer, img image.Image) error {
	data, err := EncodeJPEG(toNRGBA(img), ExportQuality)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("encode jpeg: %w", err)
	}
	return nil
}
