package testdata

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/disintegration/imaging"
)

// The crowds are 12 MP, as a phone takes them.
const (
	CrowdWidth  = 4000
	CrowdHeight = 3000
	// crowdMargin is the grey around and between the pasted photos, so
	// that a face at one's edge does not run into the next.
	crowdMargin = 24
)

// crowdFaceHeights are the median face heights, in px of the crowd, that
// the pasted photos take in turn: from the smallest faces a school photo
// holds (a child at the back of a hall) to a close portrait.
var crowdFaceHeights = []float64{24, 32, 44, 60, 80, 110, 150, 220, 320}

// Paste limits: no face is made smaller than minCrowdFace px (below it
// the ground truth is no longer a face anyone can see), and no photo is
// enlarged more than maxCrowdUpscale times (it would only be blur).
const (
	minCrowdFace    = 20
	maxCrowdUpscale = 2
)

// Crowd is a photo composed of the detection sets' photos, with its
// ground truth: faces from about 20 px to several hundred, at every head
// angle, in one 12 MP photo.
type Crowd struct {
	Image *image.RGBA
	Faces []CrowdFace
}

// CrowdFace is one face of a crowd: its box there (cut where its photo
// was cut), its head angle, and the photo it comes from.
type CrowdFace struct {
	Face
	Set, Source string
}

// crowdSource is one annotated photo of a detection set.
type crowdSource struct {
	set, name, path string
	faces           []Face
}

// ComposeCrowds composes count crowds from the detection sets under root
// (the shared testdata directory) and hands each to each in turn. The
// source photos are pasted in rows (shelves), left to right and top to
// bottom, each at the next of crowdFaceHeights; when the photos run out
// before count crowds are full, they are pasted again, at other scales.
// The layout depends only on the data, so every call composes the same
// crowds.
func ComposeCrowds(root string, count int, each func(Crowd) error) error {
	sources, err := readCrowdSources(root)
	if err != nil {
		return err
	}
	crowd := newCrowd()
	x, y, rowHeight := crowdMargin, crowdMargin, 0
	for k, done := 0, 0; done < count; k++ {
		src := sources[k%len(sources)]
		img, err := readJPEG(src.path)
		if err != nil {
			return err
		}
		scale := pasteScale(src, img.Bounds(), crowdFaceHeights[k%len(crowdFaceHeights)])
		w := max(1, int(math.Round(float64(img.Bounds().Dx())*scale)))
		h := max(1, int(math.Round(float64(img.Bounds().Dy())*scale)))
		if x+w > CrowdWidth-crowdMargin {
			x, y, rowHeight = crowdMargin, y+rowHeight+crowdMargin, 0
		}
		if y+h > CrowdHeight-crowdMargin {
			if err := each(crowd); err != nil {
				return err
			}
			if done++; done == count {
				break
			}
			crowd = newCrowd()
			x, y, rowHeight = crowdMargin, crowdMargin, 0
		}
		at := image.Rect(x, y, x+w, y+h)
		draw.Draw(crowd.Image, at, imaging.Resize(img, w, h, imaging.Lanczos), image.Point{}, draw.Src)
		sx := float64(w) / float64(img.Bounds().Dx())
		sy := float64(h) / float64(img.Bounds().Dy())
		for _, f := range src.faces {
			// A box reaching past its photo's edge is cut there: the rest
			// is another photo's or the grey margin.
			b := image.Rect(
				x+int(math.Round(float64(f.Box.Min.X-img.Bounds().Min.X)*sx)),
				y+int(math.Round(float64(f.Box.Min.Y-img.Bounds().Min.Y)*sy)),
				x+int(math.Round(float64(f.Box.Max.X-img.Bounds().Min.X)*sx)),
				y+int(math.Round(float64(f.Box.Max.Y-img.Bounds().Min.Y)*sy)),
			).Intersect(at)
			if !b.Empty() {
				crowd.Faces = append(crowd.Faces, CrowdFace{Face: Face{Box: b, Yaw: f.Yaw}, Set: src.set, Source: src.name})
			}
		}
		x += w + crowdMargin
		rowHeight = max(rowHeight, h)
	}
	return nil
}

// readCrowdSources returns the photos with at least one annotated face of
// the dlib, CMU+MIT and AFW sets, interleaved set by set so that every
// crowd mixes them, each set in file-name order.
func readCrowdSources(root string) ([]crowdSource, error) {
	var sets [][]crowdSource
	for _, name := range []string{"afw", "cmumit", "dlib"} {
		dir, truth, err := ReadDetectionSet(root, name)
		if err != nil {
			return nil, fmt.Errorf("read detection set %s: %w", name, err)
		}
		var set []crowdSource
		for _, file := range slices.Sorted(maps.Keys(truth)) {
			if len(truth[file]) > 0 {
				set = append(set, crowdSource{set: name, name: file, path: filepath.Join(dir, file), faces: truth[file]})
			}
		}
		sets = append(sets, set)
	}
	var out []crowdSource
	for i := 0; ; i++ {
		added := false
		for _, set := range sets {
			if i < len(set) {
				out = append(out, set[i])
				added = true
			}
		}
		if !added {
			return out, nil
		}
	}
}

// pasteScale is the factor by which src is pasted when its median face
// should be target px high, within the limits above and the crowd's size.
func pasteScale(src crowdSource, bounds image.Rectangle, target float64) float64 {
	heights := make([]float64, len(src.faces))
	for i, f := range src.faces {
		heights[i] = float64(f.Box.Dy())
	}
	slices.Sort(heights)
	scale := target / heights[len(heights)/2]
	scale = math.Max(scale, minCrowdFace/heights[0])
	scale = math.Min(scale, maxCrowdUpscale)
	fit := math.Min(float64(CrowdWidth-2*crowdMargin)/float64(bounds.Dx()), float64(CrowdHeight-2*crowdMargin)/float64(bounds.Dy()))
	return math.Min(scale, fit)
}

func newCrowd() Crowd {
	canvas := image.NewRGBA(image.Rect(0, 0, CrowdWidth, CrowdHeight))
	draw.Draw(canvas, canvas.Rect, image.NewUniform(color.Gray{Y: 128}), image.Point{}, draw.Src)
	return Crowd{Image: canvas}
}

func readJPEG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return img, nil
}
