package vision

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// FuzzDecode feeds Decode damaged and hostile input: it must return a photo
// or an error, never panic, and never exceed MaxPixels or MaxAspectRatio.
func FuzzDecode(f *testing.F) {
	td := testdata.Dir(f)
	for _, name := range []string{"detection/cmumit/bwolen.jpg", "detection/cmumit/cfb.jpg"} {
		data, err := os.ReadFile(filepath.Join(td, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/3])
	}
	var small bytes.Buffer
	if err := png.Encode(&small, image.NewNRGBA(image.Rect(0, 0, 8, 6))); err != nil {
		f.Fatal(err)
	}
	f.Add(small.Bytes())
	f.Add(pngHeader(30000, 30000))
	f.Add(corruptEXIFJPEG(f))
	f.Add([]byte("not an image"))
	f.Add([]byte{})
	f.Add([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"))
	tile := exampleTile(f, 2)
	f.Add(writeHEIF(testItem{id: 1, typ: "grid", data: gridData(1, 2, 2560, 854), props: [][]byte{ispe(2560, 854)}, dimg: repeat(2, 2)}, tile))
	f.Add(writeHEIF(testItem{id: 1, typ: "grid", data: gridData(20, 20, 25600, 17080), props: [][]byte{ispe(1280, 854)}, dimg: repeat(2, 400)}, tile))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(bytes.NewReader(data))
		if err != nil {
			if p != nil {
				t.Fatal("photo and error both returned")
			}
			return
		}
		if p.Width*p.Height > MaxPixels || max(p.Width, p.Height) > MaxAspectRatio*min(p.Width, p.Height) ||
			p.Image.Rect != image.Rect(0, 0, p.Width, p.Height) {
			t.Fatalf("photo %dx%d with bounds %v", p.Width, p.Height, p.Image.Rect)
		}
	})
}
