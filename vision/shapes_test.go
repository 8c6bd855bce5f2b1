package vision

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"testing"
)

// TestOddShapes drives every native step (libjpeg's decoder and encoder,
// ONNX Runtime's detector, dlib's shape predictor and descriptor) with
// photos of odd shapes: one pixel wide or high, tiny, extremely thin
// (a 972-byte 30000x10 PNG once crashed the old detector), and exactly at
// the size limit. Each photo is either refused with a typed error or goes
// through the whole path: decode, find, describe a drawn box, redact,
// encode. Decode refuses photos thinner than MaxAspectRatio from their
// header; their pixels still go through the rest of the path, so that the
// native code stays safe on them should that limit ever move. make test also runs it under AddressSanitizer (go test -asan
// -short), where a stray read or write in the C and C++ code fails the
// run; -short leaves out the 100 MP photos there, which take minutes under
// the sanitizer and run in the plain test.
func TestOddShapes(t *testing.T) {
	e := testEngine(t)
	ctx := context.Background()
	for _, size := range []image.Point{
		{1, 1}, {1, 500}, {500, 1}, {2, 2}, {3, 7}, {31, 33},
		{30000, 10}, {10, 30000}, {65000, 3}, {3, 65000},
		{10000, 10000}, // exactly MaxPixels
		{10001, 10000}, // one column over
	} {
		for _, format := range []string{"png", "jpeg"} {
			t.Run(fmt.Sprintf("%s %dx%d", format, size.X, size.Y), func(t *testing.T) {
				if testing.Short() && size.X*size.Y > 1e8/2 {
					t.Skip("100 MP photos run without -short")
				}
				img := oddImage(size)
				data := oddPhoto(t, img, format)
				p, err := Decode(bytes.NewReader(data))
				switch {
				case errors.Is(err, ErrTooNarrow):
					p = &Photo{Image: img, Width: size.X, Height: size.Y}
				case err != nil:
					if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
						t.Fatalf("refused with an untyped error: %v", err)
					}
					if size.X*size.Y <= MaxPixels {
						t.Logf("refused: %v", err)
					}
					return
				}
				if size.X*size.Y > MaxPixels {
					t.Fatalf("a %dx%d photo was accepted over the limit", size.X, size.Y)
				}
				faces, err := e.Find(ctx, p)
				if err != nil {
					t.Fatalf("Find: %v", err)
				}
				drawn := image.Rect(0, 0, max(1, p.Width/2), max(1, p.Height/2))
				if _, err := e.Describe(ctx, p, drawn); err != nil {
					t.Fatalf("Describe %v: %v", drawn, err)
				}
				boxes := []image.Rectangle{drawn}
				for _, f := range faces {
					boxes = append(boxes, f.Box)
				}
				if err := EncodeClean(io.Discard, RedactAreas(Redact(p.Image, boxes, RedactBlur), boxes, RedactSolid)); err != nil {
					t.Fatalf("encode: %v", err)
				}
			})
		}
	}
}

// oddImage draws a photo of the given size: a gradient with a dark oval,
// so that the detector has something to look at.
func oddImage(size image.Point) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size.X, size.Y))
	for y := range size.Y {
		for x := range size.X {
			v := uint8((x*7 + y*3) % 256)
			dx, dy := float64(x-size.X/2)/float64(size.X+1), float64(y-size.Y/2)/float64(size.Y+1)
			if dx*dx+dy*dy < 0.04 {
				v /= 4
			}
			img.SetNRGBA(x, y, color.NRGBA{v, v, v, 0xFF})
		}
	}
	return img
}

// oddPhoto encodes img as a PNG or, where JPEG can hold it, a JPEG.
func oddPhoto(t *testing.T, img *image.NRGBA, format string) []byte {
	t.Helper()
	if format == "jpeg" && (img.Rect.Dx() > 65535 || img.Rect.Dy() > 65535) {
		format = "png" // JPEG cannot hold it
	}
	var buf bytes.Buffer
	if format == "png" {
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if err := EncodeClean(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
