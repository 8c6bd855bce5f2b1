// Package vision is PhotoVet's image engine: it loads a photo the right way
// up and reports its metadata, finds and describes faces with dlib, matches
// descriptors against enrolled references, redacts faces irreversibly and
// encodes clean JPEGs.
//
// All cgo of the project lives here. Other packages use the FaceFinder
// interface, so they can be tested with a fake; Engine is the real one.
package vision

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // registers the JPEG decoder for image.DecodeConfig/Decode
	_ "image/png"  // registers the PNG decoder
	"io"
	"os"

	"github.com/disintegration/imaging"
)

// MaxPixels is the largest photo Load accepts (100 megapixels), checked from
// the file header before any pixel memory is allocated.
const MaxPixels = 100_000_000

// maxFileBytes bounds how much of a file Decode reads: far above any real
// 100 MP photo, it keeps a mislabelled huge file from exhausting memory.
const maxFileBytes = 512 << 20

// Errors Load and Decode wrap; test for them with errors.Is.
var (
	// ErrTooLarge reports a photo above MaxPixels.
	ErrTooLarge = errors.New("photo too large")
	// ErrUnsupported reports a file that is not a JPEG, PNG or HEIC image.
	ErrUnsupported = errors.New("not a JPEG, PNG or HEIC image")
	// ErrCorrupt reports an image file that cannot be decoded (truncated or damaged).
	ErrCorrupt = errors.New("damaged or truncated image")
)

// Photo is a decoded photo turned the right way up.
type Photo struct {
	// Image holds the oriented pixels. Its bounds start at (0, 0).
	Image *image.NRGBA
	// Width and Height are the oriented size.
	Width, Height int
	// Format is "jpeg", "png" or "heic".
	Format string
	// Orientation is the EXIF orientation (1-8) that was applied to the
	// pixels, or 0 when the file had none.
	Orientation int
	// Metadata reports what the file carried; none of it is ever exported.
	Metadata Metadata
}

// Load reads and decodes the photo at path. See Decode.
func Load(path string) (*Photo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load photo: %w", err)
	}
	defer f.Close()
	p, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("load photo %s: %w", path, err)
	}
	return p, nil
}

// Decode reads a JPEG, PNG or HEIC photo (the primary image of a HEIC file),
// refuses it with ErrTooLarge above MaxPixels before decoding, applies the
// EXIF orientation to the pixels and reads the metadata report. Damaged
// input gives an error, never a panic.
func Decode(r io.Reader) (p *Photo, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read photo: %w", err)
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("%w: file larger than %d MiB", ErrTooLarge, maxFileBytes>>20)
	}
	// The decoders in the standard library and libheif's binding report
	// bad input as errors, but the EXIF parser can panic on damaged blocks;
	// a photo must never take the batch down.
	defer func() {
		if v := recover(); v != nil {
			p, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, v)
		}
	}()
	switch sniff(data) {
	case "jpeg", "png":
		return decodeStd(data)
	case "heic":
		return decodeHEIC(data)
	}
	return nil, ErrUnsupported
}

// sniff names the format from the file's first bytes.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		switch string(data[8:12]) {
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
			return "heic"
		}
	}
	return ""
}

func checkSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: size %dx%d", ErrCorrupt, w, h)
	}
	if int64(w)*int64(h) > MaxPixels {
		return fmt.Errorf("%w: %dx%d is %.0f megapixels, the limit is %d", ErrTooLarge, w, h,
			float64(w)*float64(h)/1e6, MaxPixels/1_000_000)
	}
	return nil
}

func decodeStd(data []byte) (*Photo, error) {
	img, format, err := decodePixels(data)
	if err != nil {
		return nil, err
	}
	var meta Metadata
	var orientation int
	if format == "jpeg" {
		meta, orientation = readJPEGMetadata(data)
	} else {
		meta, orientation = readPNGMetadata(data)
	}
	if meta.EXIFError != "" {
		// Without the EXIF block the photo's orientation is unknown, and a
		// sideways photo hides its faces from the detectors: fail closed.
		return nil, fmt.Errorf("%w: %s, so it is unknown which way up the photo is", ErrCorrupt, meta.EXIFError)
	}
	oriented := orient(flatten(img), orientation)
	return &Photo{
		Image:       oriented,
		Width:       oriented.Rect.Dx(),
		Height:      oriented.Rect.Dy(),
		Format:      format,
		Orientation: orientation,
		Metadata:    meta,
	}, nil
}

// decodePixels decodes a JPEG (with libjpeg-turbo; CMYK ones with the
// standard library) or a PNG, after checking the size its header declares.
func decodePixels(data []byte) (*image.NRGBA, string, error) {
	if sniff(data) == "jpeg" {
		w, h, err := jpegSize(data)
		if err != nil && !errors.Is(err, errJPEGCMYK) {
			return nil, "", err
		}
		if err := checkSize(w, h); err != nil {
			return nil, "", err
		}
		if err == nil {
			img, err := decodeJPEG(data, w, h)
			return img, "jpeg", err
		}
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err := checkSize(cfg.Width, cfg.Height); err != nil {
		return nil, "", err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return toNRGBA(img), format, nil
}

// toNRGBA converts any decoded image (YCbCr, grey, CMYK, paletted, 16-bit)
// to 8-bit NRGBA with bounds at the origin.
func toNRGBA(img image.Image) *image.NRGBA {
	b := img.Bounds()
	if n, ok := img.(*image.NRGBA); ok && b.Min == (image.Point{}) {
		return n
	}
	if _, ok := img.(*image.CMYK); ok {
		// draw.Draw converts CMYK through the generic color model.
		out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(out, out.Rect, img, b.Min, draw.Src)
		return out
	}
	// imaging.Clone converts the common types row by row in parallel.
	return imaging.Clone(img)
}

// flatten makes img opaque in place, over black. A transparent pixel keeps
// colour values that no viewer shows: the detector, the review and the
// export must all see the same picture, the one the export will carry.
func flatten(img *image.NRGBA) *image.NRGBA {
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		row := img.Pix[img.PixOffset(img.Rect.Min.X, y):img.PixOffset(img.Rect.Max.X, y)]
		for i := 3; i < len(row); i += 4 {
			if a := row[i]; a != 0xFF {
				for c := i - 3; c < i; c++ {
					row[c] = uint8(uint16(row[c]) * uint16(a) / 0xFF)
				}
				row[i] = 0xFF
			}
		}
	}
	return img
}

// orient applies an EXIF orientation value to the pixels.
func orient(img *image.NRGBA, orientation int) *image.NRGBA {
	switch orientation {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}
