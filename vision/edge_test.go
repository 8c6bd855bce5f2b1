package vision

import (
	"context"
	"fmt"
	"image"
	"path/filepath"
	"slices"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/photovet/photovet/internal/testdata"
)

// TestEdgeThresholdFindsCutFaces cuts the largest face of each photo of
// the dlib set to a quarter and to a third at each edge, and looks for
// what is left of it with the default options and with boxes at the edge
// held to the threshold inside the photo: the edge threshold must find
// more of them and lose none (DetectOptions.EdgeThreshold). It prints
// both counts.
func TestEdgeThresholdFindsCutFaces(t *testing.T) {
	e := testEngine(t)
	w := testWorker(t, e)
	dir, truth := testdata.DetectionSet(t, "dlib")
	type cut struct {
		name string
		img  *image.NRGBA
		face image.Rectangle // what is left of the largest face
	}
	var cuts []cut
	for _, name := range slices.Sorted(mapsKeys(truth)) {
		if len(truth[name]) == 0 {
			continue
		}
		p, err := Load(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		largest := truth[name][0].Box
		for _, f := range truth[name] {
			if area(f.Box) > area(largest) {
				largest = f.Box
			}
		}
		b := p.Image.Rect
		for _, share := range []float64{0.25, 0.33} {
			dx, dy := int(share*float64(largest.Dx())+0.5), int(share*float64(largest.Dy())+0.5)
			for _, keep := range []struct {
				side string
				rect image.Rectangle
			}{
				{"left", image.Rect(largest.Max.X-dx, b.Min.Y, b.Max.X, b.Max.Y)},
				{"right", image.Rect(b.Min.X, b.Min.Y, largest.Min.X+dx, b.Max.Y)},
				{"top", image.Rect(b.Min.X, largest.Max.Y-dy, b.Max.X, b.Max.Y)},
				{"bottom", image.Rect(b.Min.X, b.Min.Y, b.Max.X, largest.Min.Y+dy)},
			} {
				r := keep.rect.Intersect(b)
				if long, short := max(r.Dx(), r.Dy()), min(r.Dx(), r.Dy()); short < 1 || long > short*MaxAspectRatio {
					continue
				}
				cuts = append(cuts, cut{fmt.Sprintf("%s %.0f%% %s", name, share*100, keep.side),
					imaging.Crop(p.Image, r), largest.Intersect(r).Sub(r.Min)})
			}
		}
	}
	found := func(opts DetectOptions) map[string]bool {
		out := map[string]bool{}
		for _, c := range cuts {
			dets, err := detectFaces(context.Background(), w.detector, c.img, opts)
			if err != nil {
				t.Fatal(err)
			}
			out[c.name] = slices.ContainsFunc(dets, func(d rawDetection) bool { return IoU(d.Box, c.face) >= 0.3 })
		}
		return out
	}
	inside := DefaultDetectOptions()
	inside.EdgeThreshold = inside.Threshold
	withEdge, without := found(DefaultDetectOptions()), found(inside)
	count := func(m map[string]bool) int {
		n := 0
		for _, ok := range m {
			if ok {
				n++
			}
		}
		return n
	}
	t.Logf("faces cut to a quarter or a third at an edge (%d crops): found %d at edge threshold %.2f, %d at %.2f",
		len(cuts), count(withEdge), DefaultDetectOptions().EdgeThreshold, count(without), inside.EdgeThreshold)
	for name, ok := range without {
		if ok && !withEdge[name] {
			t.Errorf("%s: found at the threshold inside, lost at the edge threshold", name)
		}
	}
	if count(withEdge) <= count(without) {
		t.Errorf("the edge threshold finds %d cut faces, no more than %d without it", count(withEdge), count(without))
	}
}
