package vision

import (
	"context"
	"image"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// detectionSet is one annotated detection test set.
type detectionSet struct {
	name       string
	dir        string
	truth      groundTruth
	extra      []string // images without annotations, reported apart
	wantRecall float64
}

func detectionSets(t *testing.T) []detectionSet {
	td := testdata.Dir(t)
	dlibDir := filepath.Join(td, "detection", "dlib")
	cmuDir := filepath.Join(td, "detection", "cmumit")
	dlibTruth := readImglab(t, filepath.Join(dlibDir, "testing.xml"), filepath.Join(dlibDir, "training.xml"))
	// dogs.jpg has no faces: annotated as empty, so every hit counts as false.
	dlibTruth["dogs.jpg"] = nil
	// CMU+MIT images without a line in the ground truth show no face.
	cmuTruth := readBoxList(t, filepath.Join(cmuDir, "ground_truth_bboxes.txt"))
	all, err := filepath.Glob(filepath.Join(cmuDir, "*.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range all {
		if _, ok := cmuTruth[filepath.Base(path)]; !ok {
			cmuTruth[filepath.Base(path)] = nil
		}
	}
	return []detectionSet{
		{"dlib", dlibDir, dlibTruth, []string{"Tom_Cruise_avp_2014_4.jpg", "bald_guys.jpg"}, 0.95},
		{"cmumit", cmuDir, cmuTruth, nil, 0.90},
	}
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

// TestDetectionRecall measures, per annotated set: recall at IoU >= 0.3,
// the share of faces at least 90% covered by the redaction region, and
// false detections per image.
func TestDetectionRecall(t *testing.T) {
	e := testEngine(t)
	for _, set := range detectionSets(t) {
		t.Run(set.name, func(t *testing.T) {
			files := append(slices.Sorted(mapsKeys(set.truth)), set.extra...)
			found := findAll(t, e, set.dir, files)
			var faces, hits, covered, falseHits int
			var missed []string
			for name, truth := range set.truth {
				dets := found[name]
				used := make([]bool, len(dets))
				var regions []image.Rectangle
				for _, d := range dets {
					regions = append(regions, HeadRegion(d.Box, image.Rect(-1e6, -1e6, 1e6, 1e6)))
				}
				for _, gt := range truth {
					faces++
					best, bestIoU := -1, 0.0
					for i, d := range dets {
						if v := IoU(gt, d.Box); v > bestIoU {
							best, bestIoU = i, v
						}
					}
					if bestIoU >= 0.3 {
						hits++
						used[best] = true
					} else {
						missed = append(missed, name+" "+gt.String())
					}
					if coveredShare(gt, regions) >= 0.9 {
						covered++
					}
				}
				for i, d := range dets {
					if !used[i] && !slices.ContainsFunc(truth, func(gt image.Rectangle) bool { return IoU(gt, d.Box) >= 0.1 }) {
						falseHits++
						t.Logf("false detection in %s: %v %s %.2f", name, d.Box, d.Detector, d.Score)
					}
				}
			}
			sort.Strings(missed)
			recall := float64(hits) / float64(faces)
			t.Logf("%s: recall %.3f (%d/%d faces at IoU>=0.3), covered by redaction %.3f (%d), false detections %.2f per image (%d in %d images), on dogs.jpg %d",
				set.name, recall, hits, faces, float64(covered)/float64(faces), covered,
				float64(falseHits)/float64(len(set.truth)), falseHits, len(set.truth), len(found["dogs.jpg"]))
			for _, name := range set.extra {
				t.Logf("%s (not annotated): %d faces found", name, len(found[name]))
			}
			t.Logf("missed: %v", missed)
			if recall < set.wantRecall {
				t.Errorf("recall %.3f, want at least %.2f", recall, set.wantRecall)
			}
		})
	}
}

func mapsKeys(m groundTruth) func(func(string) bool) {
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
		{Box: image.Rect(0, 0, 100, 100), Score: 0.5, Detector: HOG},
		{Box: image.Rect(5, 5, 105, 105), Score: 0.9, Detector: CNN},
		{Box: image.Rect(20, 20, 60, 60), Score: 0.1, Detector: HOG}, // inside the first: same face
		{Box: image.Rect(300, 0, 400, 100), Score: 0.2, Detector: HOG},
	}
	got := mergeDetections(dets)
	if len(got) != 2 || got[0].Detector != CNN || got[1].Box != image.Rect(300, 0, 400, 100) {
		t.Errorf("merged %+v", got)
	}
}
