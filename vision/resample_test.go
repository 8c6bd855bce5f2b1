package vision

import (
	"image"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/photovet/photovet/internal/testdata"
)

// TestResampleMatchesImaging compares resample with imaging's linear
// resize, which the detector's recall was measured with, on noise (the
// hardest case) and a real photo, shrinking and enlarging.
func TestResampleMatchesImaging(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := image.NewNRGBA(image.Rect(0, 0, 301, 207))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.IntN(256))
		if i%4 == 3 {
			noise.Pix[i] = 255
		}
	}
	photo, err := Load(filepath.Join(testdata.Dir(t), "detection", "dlib", "2008_002506.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		img  *image.NRGBA
		w, h int
	}{
		{"noise shrunk to two thirds", noise, 200, 138},
		{"noise shrunk to a tenth", noise, 30, 21},
		{"noise enlarged 2.2 times", noise, 662, 455},
		{"noise to one pixel", noise, 1, 1},
		{"noise stretched", noise, 50, 600},
		{"photo shrunk", photo.Image, photo.Width * 2 / 3, photo.Height * 2 / 3},
		{"photo enlarged", photo.Image, photo.Width * 3 / 2, photo.Height * 3 / 2},
		{"sub-image", noise.SubImage(image.Rect(40, 30, 140, 130)).(*image.NRGBA), 66, 66},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := resample(tc.img, tc.w, tc.h)
			want := imaging.Resize(tc.img, tc.w, tc.h, imaging.Linear)
			if got.Rect != want.Rect {
				t.Fatalf("size %v, want %v", got.Rect, want.Rect)
			}
			worst := 0
			for i := range got.Pix {
				d := int(got.Pix[i]) - int(want.Pix[i])
				worst = max(worst, d, -d)
			}
			if worst > 2 { // both round once between the passes
				t.Errorf("differs from imaging by up to %d levels", worst)
			}
		})
	}
}

// TestFit: the size imaging.Fit gives, the photo itself when it fits.
func TestFit(t *testing.T) {
	for _, tc := range []struct{ w, h, side int }{
		{4000, 3000, 1024}, {3000, 4000, 1024}, {2000, 2000, 1024}, {1023, 500, 1024},
		{1024, 1024, 1024}, {30000, 10, 1024}, {10, 30000, 1024}, {4032, 3024, 160},
	} {
		img := image.NewNRGBA(image.Rect(0, 0, tc.w, tc.h))
		got := Fit(img, tc.side)
		want := imaging.Fit(img, tc.side, tc.side, imaging.Linear)
		if got.Rect.Size() != want.Rect.Size() {
			t.Errorf("%dx%d in %d: %v, imaging %v", tc.w, tc.h, tc.side, got.Rect.Size(), want.Rect.Size())
		}
		if tc.w <= tc.side && tc.h <= tc.side && got != img {
			t.Errorf("%dx%d in %d: a copy, want the photo itself", tc.w, tc.h, tc.side)
		}
	}
}
