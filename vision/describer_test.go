package vision

import (
	"context"
	"encoding/json"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// TestDescriptorsMatchDlib describes faces of the shared photos (five
// photos of people, six crops of children.) and compares the descriptors
// with the ones dlib's own network computed for the same boxes before the
// engine ran it in ONNX Runtime (testdata/dlib_descriptors.json, written by
// the engine of commit 736735f). References enrolled with dlib must keep
// matching: the distance between old and new must be far below what tells
// people apart (dlib's same-person threshold, 0.6).
func TestDescriptorsMatchDlib(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "dlib_descriptors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want []struct {
		Photo      string
		Box        [4]int
		Descriptor Descriptor
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	e := testEngine(t)
	photos := map[string]*Photo{}
	var worst float64
	for _, w := range want {
		p := photos[w.Photo]
		if p == nil {
			if p, err = Load(filepath.Join(testdata.Dir(t), w.Photo)); err != nil {
				t.Fatal(err)
			}
			photos[w.Photo] = p
		}
		box := image.Rect(w.Box[0], w.Box[1], w.Box[2], w.Box[3])
		got, err := e.Describe(context.Background(), p, box)
		if err != nil {
			t.Fatalf("%s %v: %v", w.Photo, box, err)
		}
		d := Distance(got, w.Descriptor)
		worst = math.Max(worst, d)
		if d > 1e-4 {
			t.Errorf("%s %v: distance %.2g to dlib's descriptor, want under 1e-4", w.Photo, box, d)
		}
	}
	t.Logf("%d faces in %d photos: largest distance to dlib's descriptor %.2g", len(want), len(photos), worst)
}
