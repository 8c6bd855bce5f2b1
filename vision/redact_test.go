package vision

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/photovet/photovet/internal/testdata"
)

// searchThresholds are the scores at which redacted photos are searched
// for faces: the engine's own, and a far lower one, where the detector
// reports the faintest face-like pattern.
var searchThresholds = []float64{DefaultDetectOptions().Threshold, 0.05}

// facesAt searches a crop around the head of the face in box with the
// engine's detector, at the default pyramid and the given threshold, and
// returns the detections of that face: matching its box as a recall test
// would (IoU 0.3), or centred inside it. A detection beside the head
// region is not the redacted face: the detector scores the edge of a
// redaction above raised hands 0.55, say.
func facesAt(t *testing.T, w *worker, img *image.NRGBA, box image.Rectangle, threshold float64) []rawDetection {
	t.Helper()
	region := HeadRegion(box, img.Rect)
	margin := max(region.Dx(), region.Dy()) / 2
	crop := img.SubImage(region.Inset(-margin).Intersect(img.Rect)).(*image.NRGBA)
	opts := DefaultDetectOptions()
	opts.Threshold = threshold
	found, err := detectFaces(context.Background(), w.detector, imaging.Clone(crop), opts)
	if err != nil {
		t.Fatal(err)
	}
	var at []rawDetection
	for _, f := range found {
		f.Box = f.Box.Add(crop.Rect.Min)
		centre := f.Box.Min.Add(f.Box.Max).Div(2)
		if IoU(f.Box, box) >= 0.3 || centre.In(box) {
			at = append(at, f)
		}
	}
	return at
}

func TestRedactChildren(t *testing.T) {
	e := testEngine(t)
	dir := filepath.Join(testdata.Dir(t), "children")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, ent := range entries {
		if strings.HasSuffix(ent.Name(), ".jpg") {
			files = append(files, ent.Name())
		}
	}
	if len(files) != 255 {
		t.Fatalf("%d children crops, want 255", len(files))
	}
	var mu sync.Mutex
	detected := 0
	survivors := map[RedactStyle][]string{}
	minDist := map[RedactStyle]float64{RedactBlur: 10, RedactSolid: 10}
	var recognisable []string
	// Each child's own descriptor, and its descriptor once redacted in
	// each style: whether a redacted head still points to its child
	// among all 255 (identifiedAfterRedaction), a surer probe than the
	// distance to the child's own descriptor alone.
	originals := map[string]Descriptor{}
	redacted := map[RedactStyle]map[string]Descriptor{RedactBlur: {}, RedactSolid: {}}
	jobs := make(chan string)
	var wg sync.WaitGroup
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
					t.Error(err)
					continue
				}
				// Each crop is one face: the largest box found, or the
				// crop itself (its face fills the middle) when none is.
				box := p.Image.Rect.Inset(p.Width / 5)
				var original *Descriptor
				if len(faces) > 0 {
					best := faces[0]
					for _, f := range faces {
						if area(f.Box) > area(best.Box) {
							best = f
						}
					}
					box, original = best.Box, &best.Descriptor
				}
				dists := map[RedactStyle]float64{}
				for _, style := range []RedactStyle{RedactBlur, RedactSolid} {
					red := Redact(p.Image, []image.Rectangle{box}, style)
					w, err := e.acquire(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					var near []rawDetection
					for _, threshold := range searchThresholds {
						near = append(near, facesAt(t, w, red, box, threshold)...)
					}
					var dist float64
					if original != nil {
						after, _, err := w.describeBoxes(red, []image.Rectangle{dlibBox(box)})
						if err != nil {
							t.Error(err)
						} else {
							dist = Distance(*original, after[0])
							mu.Lock()
							originals[name], redacted[style][name] = *original, after[0]
							mu.Unlock()
						}
					}
					e.release(w)
					mu.Lock()
					if len(near) > 0 {
						survivors[style] = append(survivors[style], name)
					}
					if original != nil && dist < minDist[style] {
						minDist[style] = dist
					}
					mu.Unlock()
					dists[style] = dist
				}
				if original != nil {
					mu.Lock()
					detected++
					if why := stillRecognisable(dists); why != "" {
						recognisable = append(recognisable, name+": "+why)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, f := range files {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	t.Logf("children: %d crops, face detected in %d; after redaction a face is still found in blur %d, solid %d; smallest descriptor distance to the original: blur %.2f, solid %.2f",
		len(files), detected, len(survivors[RedactBlur]), len(survivors[RedactSolid]), minDist[RedactBlur], minDist[RedactSolid])
	for style, names := range survivors {
		if len(names) > 0 {
			t.Errorf("%s: a face is still found after redaction in %v", style, names)
		}
	}
	for _, why := range recognisable {
		t.Errorf("a redacted face is still recognisable: %s", why)
	}
	for _, style := range []RedactStyle{RedactBlur, RedactSolid} {
		hits, ranks := identifiedAfterRedaction(originals, redacted[style])
		slices.Sort(ranks)
		median := ranks[len(ranks)/2]
		t.Logf("%s: %d of %d redacted heads lie nearest their own child among the %d; their own child's rank: median %d, best 5 %v",
			style, hits, len(ranks), len(originals), median, ranks[:5])
		// By chance one head in 255 lies nearest its child and the
		// median rank is about 128 (measured: blur 0 and 130, solid 1 and
		// 126); a redaction that left the child recognisable would put
		// dozens nearest and pull the median down.
		if hits > 5 || median < len(originals)/4 {
			t.Errorf("%s: %d redacted heads still point to their own child first (median rank %d of %d): the redaction leaves them recognisable",
				style, hits, median, len(originals))
		}
	}
}

// identifiedAfterRedaction counts the redacted heads whose nearest
// original, among all the children's, is their own child, and returns
// each one's rank of its own child (1: nearest).
func identifiedAfterRedaction(originals, redacted map[string]Descriptor) (hits int, ranks []int) {
	for name, after := range redacted {
		own := Distance(originals[name], after)
		rank := 1
		for other, d := range originals {
			if other != name && Distance(d, after) < own {
				rank++
			}
		}
		if rank == 1 {
			hits++
		}
		ranks = append(ranks, rank)
	}
	return hits, ranks
}

// stillRecognisable says why a face redacted in each style (its
// descriptor's distance to the face's own) could still be recognised, or
// "". dlib's own same-person threshold is 0.6, and a solid grey head must
// lie beyond it. The blur's grain differs with every export, and for a
// few children even the grey head lies just beyond 0.6 (0.616 for the
// nearest; its blurred head measured 0.605 to 0.619 over six exports,
// and 0.59 once in CI): a head hidden entirely is as far as a redaction
// can take a descriptor. So the blur must reach 0.6, or come within
// blurGrainSpread of the grey head.
func stillRecognisable(dists map[RedactStyle]float64) string {
	const samePerson, blurGrainSpread = 0.6, 0.03
	switch solid, blur := dists[RedactSolid], dists[RedactBlur]; {
	case solid < samePerson:
		return fmt.Sprintf("solid grey head %.3f from the face, under %.1f", solid, samePerson)
	case blur < min(samePerson, solid-blurGrainSpread):
		return fmt.Sprintf("blurred head %.3f from the face, under %.1f and nearer than the grey head (%.3f)", blur, samePerson, solid)
	}
	return ""
}

func TestRedactGroup(t *testing.T) {
	e := testEngine(t)
	p, err := Load(filepath.Join(testdata.Dir(t), "recognition", "pristin.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	faces, err := e.Find(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) < 10 {
		t.Fatalf("%d faces in pristin.jpg, want 10", len(faces))
	}
	var boxes []image.Rectangle
	for _, f := range faces {
		boxes = append(boxes, f.Box)
	}
	w := testWorker(t, e)
	for _, style := range []RedactStyle{RedactBlur, RedactSolid} {
		red := Redact(p.Image, boxes, style)
		// Outside the head regions the photo is untouched.
		changed := 0
		for y := 0; y < p.Height; y += 3 {
			for x := 0; x < p.Width; x += 3 {
				inside := false
				for _, b := range boxes {
					inside = inside || image.Pt(x, y).In(HeadRegion(b, p.Image.Rect))
				}
				if !inside && red.NRGBAAt(x, y) != p.Image.NRGBAAt(x, y) {
					changed++
				}
			}
		}
		if changed > 0 {
			t.Errorf("%s: %d pixels changed outside the head regions", style, changed)
		}
		found := 0
		for _, threshold := range searchThresholds {
			for _, b := range boxes {
				near := facesAt(t, w, red, b, threshold)
				for _, n := range near {
					t.Logf("%s: face still found at %v, score %.2f (searched at %.2f)", style, n.Box, n.Score, threshold)
				}
				found += len(near)
			}
		}
		t.Logf("pristin.jpg %s: %d faces redacted, faces found afterwards: %d", style, len(boxes), found)
		if found > 0 {
			t.Errorf("%s: %d faces still found after redaction", style, found)
		}
	}
}

func TestParseRedactStyle(t *testing.T) {
	for in, want := range map[string]RedactStyle{"": RedactBlur, "blur": RedactBlur, "solid": RedactSolid} {
		if got, err := ParseRedactStyle(in); err != nil || got != want {
			t.Errorf("ParseRedactStyle(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseRedactStyle("pixelate"); err == nil {
		t.Error("unknown style accepted")
	}
}

// TestRedactAreas: a reviewer's box is hidden exactly as drawn, with
// nothing changed outside it, in both styles.
func TestRedactAreas(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 120, 90))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	area := image.Rect(30, 20, 70, 50)
	for _, style := range []RedactStyle{RedactBlur, RedactSolid} {
		t.Run(string(style), func(t *testing.T) {
			out := RedactAreas(img, []image.Rectangle{area, image.Rect(110, 80, 200, 200)}, style)
			changedInside, changedOutside := 0, 0
			for y := range 90 {
				for x := range 120 {
					o, r := img.PixOffset(x, y), out.PixOffset(x, y)
					same := img.Pix[o] == out.Pix[r] && img.Pix[o+1] == out.Pix[r+1] && img.Pix[o+2] == out.Pix[r+2]
					inside := image.Pt(x, y).In(area) || image.Pt(x, y).In(image.Rect(110, 80, 120, 90))
					switch {
					case inside && !same:
						changedInside++
					case !inside && !same:
						changedOutside++
					}
				}
			}
			if changedOutside != 0 {
				t.Errorf("%d pixels changed outside the areas", changedOutside)
			}
			if want := area.Dx()*area.Dy() + 100; changedInside < want*9/10 {
				t.Errorf("%d of %d pixels inside the areas changed", changedInside, want)
			}
		})
	}
}
