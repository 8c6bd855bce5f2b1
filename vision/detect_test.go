package vision

import (
	"context"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// detectionSet is one annotated detection test set.
type detectionSet struct {
	name       string
	dir        string
	truth      map[string][]testdata.Face
	extra      []string // images without annotations, reported apart
	wantRecall float64
	// wantProfile is the recall wanted on faces turned 60 degrees or more.
	wantProfile float64
}

func detectionSets(t *testing.T) []detectionSet {
	var sets []detectionSet
	for _, s := range []detectionSet{
		{name: "dlib", extra: []string{"Tom_Cruise_avp_2014_4.jpg", "bald_guys.jpg"}, wantRecall: 1},
		{name: "cmumit", wantRecall: 0.97},
		{name: "afw", wantRecall: 0.97, wantProfile: 0.95},
	} {
		s.dir, s.truth = testdata.DetectionSet(t, s.name)
		sets = append(sets, s)
	}
	return sets
}

// yawBand names AFW's bands of head turn ("" where the set has no angles).
func yawBand(yaw float64) string {
	switch {
	case math.IsNaN(yaw):
		return ""
	case yaw < 30:
		return "frontal (yaw < 30)"
	case yaw < 60:
		return "turned (yaw 30-59)"
	}
	return "profile (yaw 60+)"
}

// findAll runs the engine over the named files in parallel (one worker per
// model set) and returns the faces per file.
func findAll(t *testing.T, e *Engine, dir string, files []string) map[string][]Face {
	t.Helper()
	var mu sync.Mutex
	out := map[string][]Face{}
	var wg sync.WaitGroup
	jobs := make(chan string)
	for range e.Workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range jobs {
				p, err := Load(filepath.Join(dir, name))
				if err != nil {
					t.Error(err)
					continue
				}
				faces, err := e.Find(context.Background(), p)
				if err != nil {
					t.Errorf("%s: %v", name, err)
				}
				mu.Lock()
				out[name] = faces
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	return out
}

// TestDetectionRecall measures, per annotated set: recall at IoU >= 0.3
// (AFW also per band of head turn), the share of faces at least 90%
// covered by the redaction region, and false detections per image.
func TestDetectionRecall(t *testing.T) {
	e := testEngine(t)
	for _, set := range detectionSets(t) {
		t.Run(set.name, func(t *testing.T) {
			files := append(slices.Sorted(mapsKeys(set.truth)), set.extra...)
			found := findAll(t, e, set.dir, files)
			var faces, hits, covered, falseHits int
			bands := map[string][2]int{} // found, faces
			var missed []string
			for name, truth := range set.truth {
				dets := found[name]
				used := make([]bool, len(dets))
				var regions []image.Rectangle
				for _, d := range dets {
					regions = append(regions, HeadRegion(d.Box, image.Rect(-1e6, -1e6, 1e6, 1e6)))
				}
				for _, face := range truth {
					gt := face.Box
					faces++
					best, bestIoU := -1, 0.0
					for j, d := range dets {
						if v := IoU(gt, d.Box); v > bestIoU {
							best, bestIoU = j, v
						}
					}
					band := yawBand(face.Yaw)
					b := bands[band]
					b[1]++
					if bestIoU >= 0.3 {
						hits++
						b[0]++
						used[best] = true
					} else {
						missed = append(missed, fmt.Sprintf("%s %v", name, gt))
					}
					bands[band] = b
					if coveredShare(gt, regions) >= 0.9 {
						covered++
					}
				}
				for i, d := range dets {
					if !used[i] && !slices.ContainsFunc(truth, func(gt testdata.Face) bool { return IoU(gt.Box, d.Box) >= 0.1 }) {
						falseHits++
						t.Logf("false detection in %s: %v score %.2f", name, d.Box, d.Score)
					}
				}
			}
			slices.Sort(missed)
			recall := float64(hits) / float64(faces)
			t.Logf("%s: recall %.3f (%d/%d faces at IoU>=0.3), covered by redaction %.3f (%d), false detections %.2f per image (%d in %d images)",
				set.name, recall, hits, faces, float64(covered)/float64(faces), covered,
				float64(falseHits)/float64(len(set.truth)), falseHits, len(set.truth))
			for _, band := range slices.Sorted(func(yield func(string) bool) {
				for k := range bands {
					if k != "" && !yield(k) {
						return
					}
				}
			}) {
				b := bands[band]
				t.Logf("%s %s: %.3f (%d/%d)", set.name, band, float64(b[0])/float64(b[1]), b[0], b[1])
			}
			for _, name := range set.extra {
				t.Logf("%s (not annotated): %d faces found", name, len(found[name]))
			}
			t.Logf("missed: %v", missed)
			if recall < set.wantRecall {
				t.Errorf("recall %.3f, want at least %.2f", recall, set.wantRecall)
			}
			if b := bands[yawBand(90)]; set.wantProfile > 0 && float64(b[0]) < set.wantProfile*float64(b[1]) {
				t.Errorf("profile recall %d/%d, want at least %.2f", b[0], b[1], set.wantProfile)
			}
			if _, ok := set.truth["dogs.jpg"]; ok {
				// RetinaFace scores two of the dogs' faces 0.22 and 0.43, and
				// a paw at the bottom edge, made whole by the mirrored
				// border, 0.71: a threshold or an edge rule that dropped
				// them would drop faces covered or cut by the edge too, and
				// a blurred dog costs far less than a missed child
				// (DEVELOPERS.md).
				t.Logf("dogs.jpg: %d faces found", len(found["dogs.jpg"]))
			}
		})
	}
}

func mapsKeys(m map[string][]testdata.Face) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// coveredShare is the share of box's pixels inside the union of regions.
func coveredShare(box image.Rectangle, regions []image.Rectangle) float64 {
	in := 0
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			p := image.Pt(x, y)
			if slices.ContainsFunc(regions, func(r image.Rectangle) bool { return p.In(r) }) {
				in++
			}
		}
	}
	return float64(in) / float64(box.Dx()*box.Dy())
}

func TestMergeDetections(t *testing.T) {
	dets := []rawDetection{
		{Box: image.Rect(0, 0, 100, 100), Score: 0.6},
		{Box: image.Rect(5, 5, 105, 105), Score: 0.9},     // the first, found again
		{Box: image.Rect(10, 30, 90, 100), Score: 0.55},   // its lower part
		{Box: image.Rect(0, 200, 600, 800), Score: 0.51},  // a low box over a group...
		{Box: image.Rect(100, 300, 160, 360), Score: 0.5}, // ...stays apart from a face in it
	}
	want := []rawDetection{
		{Box: image.Rect(5, 5, 105, 105), Score: 0.9},
		{Box: image.Rect(0, 200, 600, 800), Score: 0.51},
		{Box: image.Rect(100, 300, 160, 360), Score: 0.5},
	}
	if got := mergeDetections(dets); !slices.Equal(got, want) {
		t.Errorf("merged %v, want %v", got, want)
	}
}

// TestScales checks the pyramid of scan sizes: the finest within the
// budget (or at the largest enlargement), halving steps while the total
// budget lasts, and a coarsest scan whose longest side is CoarseSide.
func TestScales(t *testing.T) {
	opts := DefaultDetectOptions()
	fine := func(w, h float64) float64 { return math.Sqrt(opts.FinePixels / (w * h)) }
	for _, tc := range []struct {
		w, h int
		want []float64
	}{
		{4000, 3000, []float64{fine(4000, 3000), 480.0 / 4000}},
		{8000, 6000, []float64{fine(8000, 6000), 480.0 / 8000}},
		{1280, 960, []float64{fine(1280, 960), 480.0 / 1280}},
		// Small photos are enlarged at most 4 times, and scanned at half
		// that size too while the budget lasts.
		{600, 400, []float64{4, 2, 480.0 / 600}},
		{640, 480, []float64{4, 2, 480.0 / 640}},
		{200, 200, []float64{4, 480.0 / 200}},
		// Too small, or too thin, for a coarser scan.
		{100, 100, []float64{4}},
		{30000, 10, []float64{4}},
		{10, 30000, []float64{4}},
	} {
		got := opts.scales(tc.w, tc.h)
		ok := len(got) == len(tc.want)
		for i := range got {
			ok = ok && math.Abs(got[i]-tc.want[i]) < 1e-9
		}
		if !ok {
			t.Errorf("%dx%d: scales %v, want %v", tc.w, tc.h, got, tc.want)
		}
		total, withBorders := 0.0, 0.0
		for i, s := range got {
			w, h := int(math.Round(float64(tc.w)*s)), int(math.Round(float64(tc.h)*s))
			total += float64(w * h)
			b := borderFor(image.NewNRGBA(image.Rect(0, 0, w, h)), i == len(got)-1)
			withBorders += float64((w + 2*b) * (h + 2*b))
		}
		if total > opts.TotalPixels*1.001 {
			t.Errorf("%dx%d: %.2f MP scanned, budget %.2f", tc.w, tc.h, total/1e6, opts.TotalPixels/1e6)
		}
		// The mirrored borders may add half at most (a photo 3,000 times
		// as wide as high, enlarged, doubles; Decode refuses those).
		if withBorders > opts.TotalPixels*3/2 {
			t.Errorf("%dx%d: %.2f MP scanned with the borders, budget %.2f", tc.w, tc.h, withBorders/1e6, opts.TotalPixels/1e6)
		}
	}
}

// TestBetweenScale checks when a scan between the finest and the coarsest
// is added: for photos whose pyramid has none and a wide gap, not for
// small photos, which have a halving there or no gap, nor when GapRatio
// is 0.
func TestBetweenScale(t *testing.T) {
	opts := DefaultDetectOptions()
	off := opts
	off.GapRatio = 0
	for _, tc := range []struct {
		w, h int
		opts DetectOptions
		want float64 // a fraction of the finest scale, 0 for none
	}{
		{4000, 3000, opts, 1 / betweenStep},
		{8000, 4500, opts, 1 / betweenStep},
		{3464, 3464, opts, 1 / betweenStep},
		{800, 600, opts, 1 / betweenStep},
		{600, 400, opts, 0},  // the budget holds a halving
		{200, 200, opts, 0},  // the coarsest is close to the finest
		{4000, 3000, off, 0}, // turned off
	} {
		scales := tc.opts.scales(tc.w, tc.h)
		if got := tc.opts.betweenScale(scales); math.Abs(got-tc.want*scales[0]) > 1e-9 {
			t.Errorf("%dx%d, gap ratio %g: between scale %g, want %g of the finest %g", tc.w, tc.h, tc.opts.GapRatio, got, tc.want, scales[0])
		}
	}
}

// TestMirrored checks the border a scan gets: the photo in the middle, its
// edges reflected without repeating the edge pixel, folding back and forth
// when the border is wider than the photo.
func TestMirrored(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(i / 4) // pixel n has the value n: a b c / d e f
	}
	got := mirrored(img, 4)
	want := []string{"abcbabcbabc", "defedefedef"}
	if got.Rect != image.Rect(-4, -4, 7, 6) {
		t.Fatalf("bounds %v, want (-4,-4)-(7,6)", got.Rect)
	}
	for y := got.Rect.Min.Y; y < got.Rect.Max.Y; y++ {
		row := ""
		for x := got.Rect.Min.X; x < got.Rect.Max.X; x++ {
			row += string(rune('a' + got.NRGBAAt(x, y).R))
		}
		if w := want[(y+4)%2]; row != w {
			t.Errorf("row %d: %s, want %s", y, row, w)
		}
	}
	if one := mirrored(image.NewNRGBA(image.Rect(0, 0, 1, 1)), 3); one.Rect.Dx() != 7 {
		t.Errorf("a 1x1 photo with a border of 3: %v", one.Rect)
	}
}
