package vision

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// TestCloserWindows: each candidate sits whole in a window of three times
// its height (at least minCloserWindow px once enlarged), cut by the
// photo's edge; overlapping windows are one while that fits the budget.
func TestCloserWindows(t *testing.T) {
	bounds := image.Rect(0, 0, 1000, 800)
	candidate := func(x0, y0, x1, y1 int) rawDetection { return rawDetection{Box: image.Rect(x0, y0, x1, y1)} }
	tests := []struct {
		name       string
		candidates []rawDetection
		scale      float64
		maxPixels  float64
		want       []image.Rectangle
	}{
		{"none", nil, 1.5, 1e6, nil},
		{"one in the middle", []rawDetection{candidate(485, 385, 515, 415)}, 1.5, 1e6,
			[]image.Rectangle{image.Rect(455, 355, 545, 445)}},
		{"small face, the window's least size", []rawDetection{candidate(495, 395, 505, 405)}, 2, 1e6,
			[]image.Rectangle{image.Rect(476, 376, 524, 424)}},
		{"at the corner, cut by the edge", []rawDetection{candidate(0, 0, 30, 30)}, 1.5, 1e6,
			[]image.Rectangle{image.Rect(0, 0, 60, 60)}},
		{"two overlapping, one window", []rawDetection{candidate(485, 385, 515, 415), candidate(525, 385, 555, 415)}, 1.5, 1e6,
			[]image.Rectangle{image.Rect(455, 355, 585, 445)}},
		{"a chain merges whole", []rawDetection{candidate(100, 100, 130, 130), candidate(200, 100, 230, 130), candidate(150, 100, 180, 130)}, 1.5, 1e6,
			[]image.Rectangle{image.Rect(70, 70, 260, 160)}},
		{"apart, two windows", []rawDetection{candidate(100, 100, 130, 130), candidate(600, 600, 630, 630)}, 1.5, 1e6,
			[]image.Rectangle{image.Rect(70, 70, 160, 160), image.Rect(570, 570, 660, 660)}},
		{"over the budget, kept apart", []rawDetection{candidate(485, 385, 515, 415), candidate(525, 385, 555, 415)}, 1.5, 90 * 90 * 1.5 * 1.5,
			[]image.Rectangle{image.Rect(455, 355, 545, 445), image.Rect(495, 355, 585, 445)}},
	}
	for _, tt := range tests {
		got := closerWindows(bounds, tt.candidates, tt.scale, tt.maxPixels)
		if len(got) != len(tt.want) {
			t.Errorf("%s: windows %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: windows %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}

// TestSmallFacesInCrowds measures recall on the ten 12 MP crowds that
// make bench-peers compares with deface (faces from 20 px to several
// hundred, from the three detection sets), by face height: a child at the
// back of a hall is 20-40 px high in a phone's photo. Before the closer
// look, 49 of the 92 faces under 40 px were found; deface finds 83.
func TestSmallFacesInCrowds(t *testing.T) {
	e := testEngine(t)
	w := testWorker(t, e)
	type tally struct{ found, faces int }
	var small, all tally
	falses, crowds := 0, 0
	err := testdata.ComposeCrowds(testdata.Dir(t), 10, func(c testdata.Crowd) error {
		p, err := crowdPhoto(c)
		if err != nil {
			return err
		}
		found, err := detectFaces(context.Background(), w.detector, p.Image, DefaultDetectOptions())
		if err != nil {
			return err
		}
		crowds++
		for _, face := range c.Faces {
			hit := false
			for _, f := range found {
				hit = hit || IoU(f.Box, face.Box) >= 0.3
			}
			for _, t := range []*tally{&all, &small} {
				if t == &small && face.Box.Dy() >= 40 {
					continue
				}
				t.faces++
				if hit {
					t.found++
				}
			}
		}
		for _, f := range found {
			near := false
			for _, face := range c.Faces {
				near = near || IoU(f.Box, face.Box) >= 0.1
			}
			if !near {
				falses++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("faces under 40 px: %d of %d; all faces: %d of %d; %.1f detections a crowd overlap no face of the ground truth (which does not box every face)",
		small.found, small.faces, all.found, all.faces, float64(falses)/float64(crowds))
	if float64(small.found) < 0.85*float64(small.faces) {
		t.Errorf("found %d of %d faces under 40 px, want at least 85%%", small.found, small.faces)
	}
	if float64(all.found) < 0.95*float64(all.faces) {
		t.Errorf("found %d of %d faces, want at least 95%%", all.found, all.faces)
	}
}

// TestInReadingOrder: rows from the top, each from the left; a face a
// little higher or lower than its neighbours stays in their row.
func TestInReadingOrder(t *testing.T) {
	face := func(x, y, side int) Face { return Face{Box: image.Rect(x, y, x+side, y+side)} }
	tests := []struct {
		name  string
		faces []Face
		want  []image.Point // the boxes' corners, in order
	}{
		{"one row, uneven heights", []Face{face(300, 110, 50), face(100, 100, 50), face(200, 90, 50)},
			[]image.Point{{100, 100}, {200, 90}, {300, 110}}},
		{"two rows", []Face{face(250, 300, 60), face(100, 100, 60), face(50, 310, 60), face(200, 95, 60)},
			[]image.Point{{100, 100}, {200, 95}, {50, 310}, {250, 300}}},
		{"heads bobbing down a line", []Face{face(300, 140, 100), face(0, 100, 100), face(150, 180, 100)},
			[]image.Point{{0, 100}, {150, 180}, {300, 140}}},
		{"a small face far behind", []Face{face(500, 400, 100), face(300, 100, 20), face(100, 420, 100)},
			[]image.Point{{300, 100}, {100, 420}, {500, 400}}},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		inReadingOrder(tt.faces)
		var got []image.Point
		for _, f := range tt.faces {
			got = append(got, f.Box.Min)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// crowdPhoto encodes a composed crowd as a JPEG (quality 90, as bench-peers
// writes them) and decodes it as the engine reads a photo.
func crowdPhoto(c testdata.Crowd) (*Photo, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, c.Image, &jpeg.Options{Quality: 90}); err != nil {
		return nil, err
	}
	return Decode(&buf)
}
