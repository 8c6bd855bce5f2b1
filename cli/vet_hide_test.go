package cli

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
	"github.com/photovet/photovet/vision"
)

// hideCase is a photo made from a detection set's photo, with the faces it
// shows.
type hideCase struct {
	name  string
	img   *image.NRGBA
	faces []image.Rectangle
}

// TestVetHidesEveryFaceCLI vets photos with faces at every head angle, cut
// by the photo's edge and partly covered, with nobody enrolled and every
// unknown face hidden (--redact-unknown), then searches each export with
// the detector at its own threshold: no annotated face may be found again
// (vision's TestRedactChildren searches at a lower one too). The photos come from the dlib set and the AFW photos with
// a face in profile: each as it is, cut through its largest face at each
// side, and with the lower half of every face covered as by a raised
// phone or hand.
func TestVetHidesEveryFaceCLI(t *testing.T) {
	var cases []hideCase
	for _, set := range []string{"dlib", "afw"} {
		dir, truth := testdata.DetectionSet(t, set)
		for _, name := range slices.Sorted(func(yield func(string) bool) {
			for k := range truth {
				if !yield(k) {
					return
				}
			}
		}) {
			faces := truth[name]
			if len(faces) == 0 || set == "afw" && !slices.ContainsFunc(faces, func(f testdata.Face) bool { return f.Yaw >= 60 }) {
				continue
			}
			p, err := vision.Load(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			var boxes []image.Rectangle
			for _, f := range faces {
				boxes = append(boxes, f.Box.Intersect(p.Image.Rect))
			}
			cases = append(cases, hideVariants(set+"-"+name, p.Image, boxes)...)
		}
	}
	in := t.TempDir()
	for _, c := range cases {
		f, err := os.Create(filepath.Join(in, c.name))
		if err != nil {
			t.Fatal(err)
		}
		if err := vision.EncodeClean(f, c.img); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	data, out := t.TempDir(), t.TempDir()
	code, stdout, _ := photovetCLI(t, "vet", "--data", data, "--channel", "website", "--unit", "school",
		"--photographer", "Pia Photo", "--photographer-channels", "website", "--redact-unknown", "--json", "--out", out, in)
	if code != 0 {
		t.Fatalf("vet exit %d", code)
	}
	lines := parseVetLines(t, stdout)

	modelDir, err := vision.ModelDir()
	if err != nil {
		t.Fatal(err)
	}
	search := vision.DefaultDetectOptions()
	search.Threshold = 0.2
	engine, err := vision.NewEngine(modelDir, 0, search)
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	var faces, found, notExported int
	for _, c := range cases {
		l, ok := lines[c.name]
		if !ok || l.Output == "" {
			notExported++
			t.Errorf("%s: not exported (%v): its %d faces were not all found", c.name, l.Reasons, len(c.faces))
			continue
		}
		p, err := vision.Load(l.Output)
		if err != nil {
			t.Fatal(err)
		}
		dets, err := engine.Find(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, face := range c.faces {
			faces++
			for _, d := range dets {
				centre := d.Box.Min.Add(d.Box.Max).Div(2)
				if vision.IoU(d.Box, face) >= 0.3 || centre.In(face) {
					found++
					t.Errorf("%s: the face at %v is still found in the export (%v, score %.2f)", c.name, face, d.Box, d.Score)
					break
				}
			}
		}
	}
	t.Logf("%d photos (%d faces) vetted with every unknown face hidden; exports searched at 0.2: %d faces found again, %d photos not exported",
		len(cases), faces, found, notExported)
}

// hideVariants returns the photo as it is, cut through its largest face
// at the left, right and bottom edges, and with the lower half of each
// face covered by a dark block.
func hideVariants(name string, img *image.NRGBA, faces []image.Rectangle) []hideCase {
	cases := []hideCase{{name: "whole-" + name, img: img, faces: faces}}
	largest := slices.MaxFunc(faces, func(a, b image.Rectangle) int { return a.Dx()*a.Dy() - b.Dx()*b.Dy() })
	mid := largest.Min.Add(largest.Max).Div(2)
	for _, cut := range []struct {
		side string
		keep image.Rectangle
	}{
		{"left", image.Rect(mid.X, img.Rect.Min.Y, img.Rect.Max.X, img.Rect.Max.Y)},
		{"right", image.Rect(img.Rect.Min.X, img.Rect.Min.Y, mid.X, img.Rect.Max.Y)},
		{"bottom", image.Rect(img.Rect.Min.X, img.Rect.Min.Y, img.Rect.Max.X, mid.Y)},
	} {
		if long, short := max(cut.keep.Dx(), cut.keep.Dy()), min(cut.keep.Dx(), cut.keep.Dy()); long > short*vision.MaxAspectRatio {
			continue // a strip PhotoVet refuses to load (TestVetHostileInputCLI)
		}
		cropped := image.NewNRGBA(image.Rect(0, 0, cut.keep.Dx(), cut.keep.Dy()))
		draw.Draw(cropped, cropped.Rect, img, cut.keep.Min, draw.Src)
		var kept []image.Rectangle
		for _, f := range faces {
			// A face cut to under a third of its width or height is no
			// longer a face anyone could recognise.
			part := f.Intersect(cut.keep)
			if part.Dx()*3 >= f.Dx() && part.Dy()*3 >= f.Dy() {
				kept = append(kept, part.Sub(cut.keep.Min))
			}
		}
		cases = append(cases, hideCase{name: fmt.Sprintf("cut-%s-%s", cut.side, name), img: cropped, faces: kept})
	}
	covered := image.NewNRGBA(img.Rect)
	draw.Draw(covered, covered.Rect, img, img.Rect.Min, draw.Src)
	for _, f := range faces {
		phone := image.Rect(f.Min.X-f.Dx()/10, f.Min.Y+f.Dy()/2, f.Max.X+f.Dx()/10, f.Max.Y+int(math.Round(float64(f.Dy())*0.2)))
		draw.Draw(covered, phone, image.NewUniform(color.NRGBA{40, 40, 45, 255}), image.Point{}, draw.Src)
	}
	return append(cases, hideCase{name: "covered-" + name, img: covered, faces: faces})
}
