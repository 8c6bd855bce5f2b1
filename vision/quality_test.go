package vision

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	"github.com/photovet/photovet/internal/testdata"
)

// TestMeasureFace checks the measures on faces whose answer is known: the
// turn from landmarks placed by hand, the sharpness of a pattern before and
// after blurring it.
func TestMeasureFace(t *testing.T) {
	box := image.Rect(100, 100, 300, 300)
	frontal := [5]image.Point{{260, 170}, {220, 170}, {140, 170}, {180, 170}, {200, 230}}
	atEye := frontal
	atEye[4] = image.Pt(240, 230) // under the centre of the eye at 220-260
	tilted := frontal             // the whole face rolled: no turn
	for i, p := range tilted {
		tilted[i] = image.Pt(200+(p.Y-200), 200-(p.X-200))
	}
	turns := []struct {
		name  string
		marks [5]image.Point
		want  float64
	}{
		{"looking into the camera", frontal, 0},
		{"rolled, not turned", tilted, 0},
		{"nose under an eye", atEye, 0.5},
		{"no eyes apart", [5]image.Point{}, math.Inf(1)},
	}
	for _, c := range turns {
		if got := turn(c.marks); math.Abs(got-c.want) > 1e-9 && got != c.want {
			t.Errorf("%s: turn %.3f, want %.3f", c.name, got, c.want)
		}
	}

	img := image.NewNRGBA(image.Rect(0, 0, 400, 400))
	for y := range 400 {
		for x := range 400 {
			// Light and shade across the face, and fine detail on it.
			v := uint8(40 + x/4 + y/4)
			if (x/3+y/3)%2 == 0 {
				v += 40
			}
			img.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
		}
	}
	sharp := MeasureFace(img, Face{Box: box, Landmarks: frontal}).Sharpness
	blurred := MeasureFace(imaging.Blur(img, 4), Face{Box: box, Landmarks: frontal}).Sharpness
	flat := MeasureFace(image.NewNRGBA(img.Rect), Face{Box: box, Landmarks: frontal}).Sharpness
	t.Logf("sharpness: pattern %.3f, blurred %.4f, flat %.3f", sharp, blurred, flat)
	if !(sharp >= MinReferenceSharpness && blurred < MinReferenceSharpness && flat == 0) {
		t.Errorf("sharpness: pattern %.3f, blurred %.4f, flat %.3f; want the pattern over %.2f, the blur under it, flat 0", sharp, blurred, flat, MinReferenceSharpness)
	}
}

// TestReferenceQualityBounds measures, with the real engine, what the
// bounds on a reference face were chosen from and checks them: the size and
// sharpness of the largest face of every recognition photo and of every
// eighth children's crop, the sharpness of those faces blurred by a
// Gaussian of 2% of their height, and the turn of the AFW faces against
// their annotated yaw. It prints every figure.
func TestReferenceQualityBounds(t *testing.T) {
	e := testEngine(t)
	root := testdata.Dir(t)
	var photos []string
	for _, sub := range []string{"recognition", "children"} {
		entries, err := os.ReadDir(filepath.Join(root, sub))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, en := range entries {
			if !strings.HasSuffix(en.Name(), ".jpg") {
				continue
			}
			if sub == "children" {
				if n++; n%8 != 1 {
					continue
				}
			}
			photos = append(photos, filepath.Join(sub, en.Name()))
		}
	}
	faces := findAll(t, e, root, photos)
	var heights, sharp, blurred []float64
	for _, name := range photos {
		p, err := Load(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(faces[name]) == 0 {
			t.Errorf("%s: no face found", name)
			continue
		}
		// The subject: the tallest face scored 0.5 or more. A box at the
		// photo's edge, kept from 0.1, may be taller and no face.
		sure := slices.DeleteFunc(slices.Clone(faces[name]), func(f Face) bool { return f.Score < 0.5 })
		if len(sure) == 0 {
			t.Errorf("%s: no face scored 0.5 or more", name)
			continue
		}
		f := slices.MaxFunc(sure, func(a, b Face) int { return a.Box.Dy() - b.Box.Dy() })
		q := MeasureFace(p.Image, f)
		heights, sharp = append(heights, float64(q.Height)), append(sharp, q.Sharpness)
		blur := MeasureFace(imaging.Blur(p.Image, 0.02*float64(f.Box.Dy())), f)
		blurred = append(blurred, blur.Sharpness)
		if q.Height < MinReferenceHeight || q.Sharpness < MinReferenceSharpness {
			t.Errorf("%s: face %d px high, sharpness %.3f: a real face refused (want %d px, %.2f)", name, q.Height, q.Sharpness, MinReferenceHeight, MinReferenceSharpness)
		}
	}
	spread := func(v []float64) string {
		s := slices.Sorted(slices.Values(v))
		return fmt.Sprintf("%.3f to %.3f (median %.3f)", s[0], s[len(s)-1], s[len(s)/2])
	}
	refused := 0
	for _, s := range blurred {
		if s < MinReferenceSharpness {
			refused++
		}
	}
	t.Logf("%d faces: height %s px; sharpness %s; blurred by 2%% of their height %s, refused %d of %d",
		len(sharp), spread(heights), spread(sharp), spread(blurred), refused, len(blurred))
	if refused*10 < len(blurred)*9 {
		t.Errorf("only %d of %d blurred faces refused, want 90%% or more", refused, len(blurred))
	}

	dir, truth := testdata.DetectionSet(t, "afw")
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range truth {
			if !yield(n) {
				return
			}
		}
	})
	afw := findAll(t, e, dir, names)
	bands := []struct {
		from, to         float64
		faces, overBound int
	}{{0, 15, 0, 0}, {15, 30, 0, 0}, {30, 45, 0, 0}, {45, 60, 0, 0}, {60, 91, 0, 0}}
	for _, name := range names {
		for _, gt := range truth[name] {
			var found *Face
			best := 0.3
			for i, f := range afw[name] {
				if iou := IoU(f.Box, gt.Box); iou >= best {
					best, found = iou, &afw[name][i]
				}
			}
			if found == nil {
				continue
			}
			tn := turn(found.Landmarks)
			for i := range bands {
				if b := &bands[i]; math.Abs(gt.Yaw) >= b.from && math.Abs(gt.Yaw) < b.to {
					b.faces++
					if !(tn <= MaxReferenceTurn) {
						b.overBound++
					}
				}
			}
		}
	}
	for _, b := range bands {
		t.Logf("AFW yaw %2.0f-%2.0f degrees: %d of %d faces refused as turned (turn over %.2f)", b.from, b.to, b.overBound, b.faces, MaxReferenceTurn)
	}
	if bands[0].overBound > 0 {
		t.Errorf("%d faces turned under 15 degrees refused as turned", bands[0].overBound)
	}
	if profiles, refusedProfiles := bands[3].faces+bands[4].faces, bands[3].overBound+bands[4].overBound; refusedProfiles*3 < profiles*2 {
		t.Errorf("%d of %d faces turned 45 degrees or more refused, want two thirds or more", refusedProfiles, profiles)
	}
}
