package vision

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

func TestOrientation(t *testing.T) {
	dir := filepath.Join(testdata.Dir(t), "exif", "orientation")
	for _, kind := range []string{"Landscape", "Portrait"} {
		ref, err := Load(filepath.Join(dir, kind+"_0.jpg"))
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 8; n++ {
			name := fmt.Sprintf("%s_%d.jpg", kind, n)
			t.Run(name, func(t *testing.T) {
				p, err := Load(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if p.Orientation != n {
					t.Errorf("orientation %d, want %d", p.Orientation, n)
				}
				if p.Width != ref.Width || p.Height != ref.Height {
					t.Fatalf("size %dx%d, want %dx%d", p.Width, p.Height, ref.Width, ref.Height)
				}
				diff := meanAbsDiff(p.Image, ref.Image)
				t.Logf("%s: %dx%d, mean difference to %s_0 %.2f of 255", name, p.Width, p.Height, kind, diff)
				// JPEG noise between two encodings is ~1-3; a wrong turn gives tens.
				if diff > 6 {
					t.Errorf("mean difference %.2f: not the same picture the right way up", diff)
				}
			})
		}
	}
}

// meanAbsDiff is the mean absolute difference per colour channel.
func meanAbsDiff(a, b *image.NRGBA) float64 {
	var sum, n float64
	for y := 0; y < a.Rect.Dy(); y++ {
		ra := a.Pix[y*a.Stride : y*a.Stride+a.Rect.Dx()*4]
		rb := b.Pix[y*b.Stride : y*b.Stride+b.Rect.Dx()*4]
		for i := 0; i < len(ra); i += 4 {
			for c := range 3 {
				d := float64(ra[i+c]) - float64(rb[i+c])
				if d < 0 {
					d = -d
				}
				sum += d
				n++
			}
		}
	}
	return sum / n
}

func TestLoadHEIC(t *testing.T) {
	p, err := Load(filepath.Join(testdata.Dir(t), "heic", "example.heic"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("example.heic: %dx%d %s, metadata %+v", p.Width, p.Height, p.Format, p.Metadata)
	if p.Width != 1280 || p.Height != 854 || p.Format != "heic" {
		t.Errorf("got %dx%d %s, want 1280x854 heic", p.Width, p.Height, p.Format)
	}
	// The primary image is a town view in daylight, not a blank frame.
	if mean := meanLuma(p.Image); mean < 30 || mean > 230 {
		t.Errorf("mean luma %.0f: decoded pixels look blank", mean)
	}
}

func meanLuma(img *image.NRGBA) float64 {
	var sum float64
	for i := 0; i < len(img.Pix); i += 4 {
		sum += 0.299*float64(img.Pix[i]) + 0.587*float64(img.Pix[i+1]) + 0.114*float64(img.Pix[i+2])
	}
	return sum / float64(len(img.Pix)/4)
}

// TestLoadKinds covers the JPEG variants cameras and scanners write.
func TestLoadKinds(t *testing.T) {
	td := testdata.Dir(t)
	src, err := Load(filepath.Join(td, "detection", "dlib", "2008_002506.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	gray := image.NewGray(src.Image.Rect)
	cmyk := image.NewCMYK(src.Image.Rect)
	for y := range src.Height {
		for x := range src.Width {
			c := src.Image.NRGBAAt(x, y)
			gray.Set(x, y, c)
			cmyk.Set(x, y, color.CMYKModel.Convert(c))
		}
	}
	cases := []struct {
		name string
		img  image.Image
	}{{"gray", gray}, {"cmyk", cmyk}, {"ycbcr", src.Image}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, c.img, &jpeg.Options{Quality: 92}); err != nil {
				t.Fatal(err)
			}
			p, err := Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if p.Width != src.Width || p.Height != src.Height {
				t.Errorf("size %dx%d, want %dx%d", p.Width, p.Height, src.Width, src.Height)
			}
			if d := meanAbsDiff(p.Image, toNRGBA(c.img)); d > 6 {
				t.Errorf("mean difference %.1f to the source", d)
			}
		})
	}
	// Progressive JPEGs and grayscale JPEGs from the shared data.
	for _, name := range []string{"recognition/bona2.jpg", "detection/cmumit/Arsenal.jpg"} {
		if _, err := Load(filepath.Join(td, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// pngHeader returns a PNG signature and IHDR chunk claiming w x h pixels.
func pngHeader(w, h uint32) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&buf, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr[:]...)
	buf.Write(chunk)
	binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return buf.Bytes()
}

// corruptEXIFJPEG returns a valid JPEG with an APP1 EXIF block whose IFD
// offsets point nowhere.
func corruptEXIFJPEG(t testing.TB) []byte {
	t.Helper()
	var img bytes.Buffer
	if err := jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 64, 48)), nil); err != nil {
		t.Fatal(err)
	}
	payload := []byte("Exif\x00\x00MM\x00\x2a\xff\xff\xff\x00\x00\x05\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06")
	var out bytes.Buffer
	out.Write(img.Bytes()[:2])
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, binary.BigEndian, uint16(len(payload)+2))
	out.Write(payload)
	out.Write(img.Bytes()[2:])
	return out.Bytes()
}

// grayPNG returns a valid black PNG of w x h pixels.
func grayPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestShapes decodes photos of odd shapes: up to MaxAspectRatio they are
// photos, beyond it they are refused (TestBadInput). On the code before
// MaxAspectRatio, a 30000x10 PNG decoded and went on to the detectors.
func TestShapes(t *testing.T) {
	for _, size := range []image.Point{{1, 1}, {2, 2}, {1, 10}, {10, 1}, {10000, 1000}, {1000, 10000}} {
		p, err := Decode(bytes.NewReader(grayPNG(t, size.X, size.Y)))
		if err != nil || p.Width != size.X || p.Height != size.Y {
			t.Errorf("%v: got %v, want a %dx%d photo", size, err, size.X, size.Y)
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestRefusedFromHeader feeds Decode 200 MB files that are refused by
// their first bytes: Decode must not read the rest. On the code before
// this test, Decode read all 200 MB before looking at the format.
func TestRefusedFromHeader(t *testing.T) {
	const fileSize = 200 << 20
	cases := []struct {
		name string
		head []byte
		want error
	}{
		{"text named .jpg", []byte("Dear parents, the school trip is on Friday.\n"), ErrUnsupported},
		{"zeros", nil, ErrUnsupported},
		{"PNG of 20000x20000", pngHeader(20000, 20000), ErrTooLarge},
		{"PNG of 30000x10", pngHeader(30000, 10), ErrTooNarrow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &countingReader{r: io.MultiReader(bytes.NewReader(c.head), io.LimitReader(zeros{}, fileSize-int64(len(c.head))))}
			p, err := Decode(r)
			t.Logf("%s: read %d bytes: %v", c.name, r.n, err)
			if !errors.Is(err, c.want) || p != nil {
				t.Errorf("got photo %v, error %v; want %v", p != nil, err, c.want)
			}
			if r.n > 1<<20 {
				t.Errorf("read %d MB of the file to refuse it", r.n>>20)
			}
		})
	}
}

// zeros reads zero bytes for ever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestBadInput(t *testing.T) {
	real, err := os.ReadFile(filepath.Join(testdata.Dir(t), "detection", "dlib", "2008_002506.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"truncated.jpg", real[:len(real)/2], ErrCorrupt},
		{"empty.jpg", nil, ErrUnsupported},
		{"text.jpg", []byte("Dear parents,\nthe school trip is on Friday.\n"), ErrUnsupported},
		{"huge.png", pngHeader(30000, 30000), ErrTooLarge},
		{"header-only.jpg", real[:200], ErrCorrupt},
		{"png-no-data.png", pngHeader(640, 480), ErrCorrupt},
		{"strip.png", grayPNG(t, 30000, 10), ErrTooNarrow},
		{"tower.png", grayPNG(t, 10, 30000), ErrTooNarrow},
		{"just-too-narrow.png", grayPNG(t, 10001, 1000), ErrTooNarrow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), c.name)
			if err := os.WriteFile(path, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := Load(path)
			t.Logf("%s: %v", c.name, err)
			if !errors.Is(err, c.want) || p != nil {
				t.Fatalf("got photo %v, error %v; want %v", p != nil, err, c.want)
			}
			if !strings.Contains(err.Error(), c.name) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	t.Run("corrupt-exif.jpg", func(t *testing.T) {
		// The pixels are fine but the orientation cannot be read: a
		// sideways photo would hide its faces, so the photo is refused.
		p, err := Decode(bytes.NewReader(corruptEXIFJPEG(t)))
		t.Logf("corrupt EXIF: %v", err)
		if !errors.Is(err, ErrCorrupt) || p != nil || !strings.Contains(err.Error(), "EXIF") {
			t.Errorf("got photo %v, error %v; want ErrCorrupt naming the EXIF block", p != nil, err)
		}
	})
}

func TestMetadata(t *testing.T) {
	td := testdata.Dir(t)
	cases := []struct {
		file      string
		camera    string
		taken     bool
		thumbnail bool
	}{
		{"recognition/eunseo.jpg", "Canon EOS 80D", true, false},
		{"recognition/jimin.jpg", "NIKON D4", true, false},
		{"exif/orientation/Landscape_6.jpg", "", false, false},
		{"detection/dlib/2008_002506.jpg", "", false, false},
	}
	for _, c := range cases {
		p, err := Load(filepath.Join(td, c.file))
		if err != nil {
			t.Fatal(err)
		}
		m := p.Metadata
		t.Logf("%s: camera %q taken %q artist %q copyright %q gps %v thumbnail %v exif %v xmp %v iptc %v icc %v comment %v",
			c.file, m.Camera(), m.Taken, m.Artist, m.Copyright, m.GPS, m.Thumbnail, m.EXIF, m.XMP, m.IPTC, m.ICC, m.Comment)
		if !strings.Contains(m.Camera(), c.camera) {
			t.Errorf("%s: camera %q, want %q", c.file, m.Camera(), c.camera)
		}
	}
}
