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
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // registers the JPEG decoder for image.DecodeConfig/Decode
	_ "image/png"  // registers the PNG decoder
	"io"

	"github.com/disintegration/imaging"
)

// MaxPixels is the largest photo Load accepts (100 megapixels), checked from
// the file header before any pixel memory is allocated; for HEIC, from what
// will actually be decoded (see heifPlan).
const MaxPixels = 100_000_000

// MaxAspectRatio is how many times longer than the other a photo's longer
// side may be. Phone panoramas, even a full turn, stay well within it; a
// longer strip is no photo of a class, and the face detectors' scaled and
// tiled passes degenerate on it (a valid 30000x10 PNG crashed dlib's CNN:
// issue 11). Such a file is refused with ErrTooNarrow, so nothing of it is
// published (fail closed).
const MaxAspectRatio = 10

// maxSide is the longest side a photo can have within MaxPixels and
// MaxAspectRatio (the square root of their product): libheif's own limit,
// which it applies to every image and grid before allocating it.
const maxSide = 31_622

// maxFileBytes bounds the size of a photo file: far above any real 100 MP
// photo, it keeps a mislabelled huge file from being read at all.
const maxFileBytes = 512 << 20

// Errors OpenFile, Load and Decode wrap; test for them with errors.Is.
var (
	// ErrNotRegular reports a path that is not a regular file: a folder, a
	// device such as /dev/zero, a FIFO or a socket, or a link to one.
	// Reading those could block for ever or never end.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge reports a photo above MaxPixels, or a file above 512 MiB.
	ErrTooLarge = errors.New("photo too large")
	// ErrTooNarrow reports a photo whose longer side is more than
	// MaxAspectRatio times its shorter one.
	ErrTooNarrow = errors.New("photo too narrow")
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

// Load reads and decodes the photo at path, opened with OpenFile. See
// Decode.
func Load(path string) (*Photo, error) {
	f, err := OpenFile(context.Background(), path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("load photo %s: %w", path, err)
	}
	return p, nil
}

// sniffBytes is how much of a file names its format.
const sniffBytes = 12

// Decode reads a JPEG, PNG or HEIC photo (the primary image of a HEIC file)
// to the end of r, applies the EXIF orientation to the pixels and reads the
// metadata report. Before reading more than the header it refuses a file
// that is not one of those formats (ErrUnsupported) and a JPEG or PNG that
// declares more than MaxPixels or a shape beyond MaxAspectRatio
// (ErrTooLarge, ErrTooNarrow); a HEIC is checked the same way from its boxes
// before any pixel is decoded. Damaged input gives an error, never a panic.
func Decode(r io.Reader) (p *Photo, err error) {
	limited := io.LimitReader(r, maxFileBytes+1)
	var data bytes.Buffer
	read := io.TeeReader(limited, &data)
	var head [sniffBytes]byte
	n, err := io.ReadFull(read, head[:])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("read photo: %w", err)
	}
	format := sniff(head[:n])
	if format == "" {
		return nil, ErrUnsupported
	}
	if format != "heic" {
		cfg, _, err := image.DecodeConfig(io.MultiReader(bytes.NewReader(head[:n]), read))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if err := checkSize(cfg.Width, cfg.Height); err != nil {
			return nil, err
		}
	}
	if _, err := data.ReadFrom(limited); err != nil {
		return nil, fmt.Errorf("read photo: %w", err)
	}
	if data.Len() > maxFileBytes {
		return nil, fmt.Errorf("%w: file larger than %d MiB", ErrTooLarge, maxFileBytes>>20)
	}
	// The decoders in the standard library and libheif report bad input
	// as errors, but the EXIF parser can panic on damaged blocks; a photo
	// must never take the batch down.
	defer func() {
		if v := recover(); v != nil {
			p, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, v)
		}
	}()
	if format == "heic" {
		return decodeHEIC(data.Bytes())
	}
	return decodeStd(data.Bytes())
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

// checkSize refuses a photo of w x h pixels above MaxPixels or beyond
// MaxAspectRatio.
func checkSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: size %dx%d", ErrCorrupt, w, h)
	}
	if int64(w)*int64(h) > MaxPixels {
		return fmt.Errorf("%w: %dx%d is %.0f megapixels, the limit is %d", ErrTooLarge, w, h,
			float64(w)*float64(h)/1e6, MaxPixels/1_000_000)
	}
	if long, short := max(w, h), min(w, h); long > short*MaxAspectRatio {
		return fmt.Errorf("%w: %dx%d, one side is more than %d times the other", ErrTooNarrow, w, h, MaxAspectRatio)
	}
	return nil
}

// decodeStd decodes a JPEG or PNG whose header Decode has checked.
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
