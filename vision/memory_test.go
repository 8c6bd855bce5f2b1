package vision

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"os"
	"path/filepath"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// TestFindMemoryBounded runs the engine on a small photo, which the
// detector scans enlarged four times, and on a 48 MP one, and checks that
// one Find stays within 300 MB above what the process used before
// (VmHWM, reset first): the detector's scans are bounded by the pixel
// budget, and its network calls by the tile size, whatever the photo. On
// 29 November 2026, after tiling: 245 MB and 190 MB (350 MB for the 48 MP
// photo before).
func TestFindMemoryBounded(t *testing.T) {
	e := testEngine(t)
	small, err := Load(filepath.Join(testdata.Dir(t), "detection", "dlib", "2008_002506.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	large := image.NewNRGBA(image.Rect(0, 0, 8000, 6000))
	draw.Draw(large, large.Rect, image.NewUniform(color.Gray{Y: 128}), image.Point{}, draw.Src)
	draw.Draw(large, small.Image.Rect.Add(image.Pt(3000, 2000)), small.Image, image.Point{}, draw.Src)
	for _, tc := range []struct {
		name  string
		photo *Photo
	}{
		{"small enlarged", small},
		{"48 MP", &Photo{Image: large, Width: 8000, Height: 6000}},
	} {
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			t.Fatalf("reset peak memory: %v", err)
		}
		before := currentRSS()
		faces, err := e.Find(context.Background(), tc.photo)
		if err != nil {
			t.Fatal(err)
		}
		grew := peakRSS() - before
		t.Logf("%s (%dx%d): %d faces, peak %.0f MB above the %.0f MB before", tc.name, tc.photo.Width, tc.photo.Height, len(faces), grew, before)
		if len(faces) == 0 {
			t.Errorf("%s: no face found", tc.name)
		}
		if grew > 300 {
			t.Errorf("%s: one Find took %.0f MB, want under 300", tc.name, grew)
		}
	}
}
