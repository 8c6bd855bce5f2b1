package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/disintegration/imaging"

	"github.com/photovet/photovet/internal/testdata"
)

// The composed photos: 12 MP, as a phone takes them.
const (
	photoWidth  = 4000
	photoHeight = 3000
	// photoMargin is the grey around and between the pasted photos, so
	// that a face at one's edge does not run into the next.
	photoMargin = 24
	// jpegQuality is what a phone's camera writes.
	jpegQuality = 90
)

// faceHeights are the median face heights, in px of the composed photo,
// that the pasted photos take in turn: from the smallest faces a school
// photo holds (a child at the back of a hall) to a close portrait.
var faceHeights = []float64{24, 32, 44, 60, 80, 110, 150, 220, 320}

// Scale limits: no face is made smaller than minFace px (below it the
// ground truth is no longer a face anyone can see), and no photo is
// enlarged more than maxUpscale times (it would only be blur).
const (
	minFace    = 20
	maxUpscale = 2
)

// source is one annotated photo of a detection set.
type source struct {
	set, name, path string
	faces           []testdata.Face
}

// truthFace is one face of a composed photo: its box there, and where it
// comes from.
type truthFace struct {
	Box    [4]int   `json:"box"` // x0, y0, x1, y1
	Set    string   `json:"set"`
	Source string   `json:"source"`
	Yaw    *float64 `json:"yaw,omitempty"` // AFW only
}

// composed is one composed photo and its ground truth.
type composed struct {
	File  string      `json:"file"`
	Faces []truthFace `json:"faces"`
}

func (f truthFace) rect() image.Rectangle {
	return image.Rect(f.Box[0], f.Box[1], f.Box[2], f.Box[3])
}

// readSources returns the photos with at least one annotated face of the
// dlib, CMU+MIT and AFW sets, interleaved set by set so that every
// composed photo mixes them, each set in file-name order.
func readSources(root string) ([]source, error) {
	var sets [][]source
	for _, name := range []string{"afw", "cmumit", "dlib"} {
		dir, truth, err := testdata.ReadDetectionSet(root, name)
		if err != nil {
			return nil, fmt.Errorf("read detection set %s: %w", name, err)
		}
		var set []source
		for _, file := range slices.Sorted(mapKeys(truth)) {
			if len(truth[file]) > 0 {
				set = append(set, source{set: name, name: file, path: filepath.Join(dir, file), faces: truth[file]})
			}
		}
		sets = append(sets, set)
	}
	var out []source
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

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// pasteScale is the factor by which src is pasted when its median face
// should be target px high, within the limits above and the photo's size.
func pasteScale(src source, bounds image.Rectangle, target float64) float64 {
	heights := make([]float64, len(src.faces))
	for i, f := range src.faces {
		heights[i] = float64(f.Box.Dy())
	}
	slices.Sort(heights)
	scale := target / heights[len(heights)/2]
	scale = math.Max(scale, minFace/heights[0])
	scale = math.Min(scale, maxUpscale)
	fit := math.Min(float64(photoWidth-2*photoMargin)/float64(bounds.Dx()), float64(photoHeight-2*photoMargin)/float64(bounds.Dy()))
	return math.Min(scale, fit)
}

// compose writes count photos of photoWidth x photoHeight into dir, each
// with its ground truth beside it (NAME.truth.json), and returns them.
// The source photos are pasted in rows (shelves), left to right and top
// to bottom, each at the next of faceHeights; when the photos run out
// before count photos are full, they are pasted again, at other scales.
// The layout depends only on the data, so every run composes the same
// photos.
func compose(root, dir string, count int) ([]composed, error) {
	sources, err := readSources(root)
	if err != nil {
		return nil, err
	}
	var out []composed
	canvas := newCanvas()
	current := composed{File: filepath.Join(dir, fmt.Sprintf("peers_%02d.jpg", 1))}
	x, y, rowHeight := photoMargin, photoMargin, 0
	for k := 0; len(out) < count; k++ {
		src := sources[k%len(sources)]
		img, err := readJPEG(src.path)
		if err != nil {
			return nil, err
		}
		scale := pasteScale(src, img.Bounds(), faceHeights[k%len(faceHeights)])
		w := max(1, int(math.Round(float64(img.Bounds().Dx())*scale)))
		h := max(1, int(math.Round(float64(img.Bounds().Dy())*scale)))
		if x+w > photoWidth-photoMargin {
			x, y, rowHeight = photoMargin, y+rowHeight+photoMargin, 0
		}
		if y+h > photoHeight-photoMargin {
			if err := writePhoto(canvas, current); err != nil {
				return nil, err
			}
			out = append(out, current)
			if len(out) == count {
				break
			}
			canvas = newCanvas()
			current = composed{File: filepath.Join(dir, fmt.Sprintf("peers_%02d.jpg", len(out)+1))}
			x, y, rowHeight = photoMargin, photoMargin, 0
		}
		at := image.Rect(x, y, x+w, y+h)
		draw.Draw(canvas, at, imaging.Resize(img, w, h, imaging.Lanczos), image.Point{}, draw.Src)
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
			if b.Empty() {
				continue
			}
			face := truthFace{Box: [4]int{b.Min.X, b.Min.Y, b.Max.X, b.Max.Y}, Set: src.set, Source: src.name}
			if !math.IsNaN(f.Yaw) {
				yaw := f.Yaw
				face.Yaw = &yaw
			}
			current.Faces = append(current.Faces, face)
		}
		x += w + photoMargin
		rowHeight = max(rowHeight, h)
	}
	return out, nil
}

func newCanvas() *image.RGBA {
	canvas := image.NewRGBA(image.Rect(0, 0, photoWidth, photoHeight))
	draw.Draw(canvas, canvas.Rect, image.NewUniform(color.Gray{Y: 128}), image.Point{}, draw.Src)
	return canvas
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

// writePhoto writes the composed photo and its ground truth.
func writePhoto(canvas *image.RGBA, c composed) error {
	f, err := os.Create(c.File)
	if err != nil {
		return err
	}
	if err := jpeg.Encode(f, canvas, &jpeg.Options{Quality: jpegQuality}); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", c.File, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(truthPath(c.File), data, 0o644)
}

// truthPath is where the ground truth of the composed photo at path is.
func truthPath(path string) string {
	return path[:len(path)-len(filepath.Ext(path))] + ".truth.json"
}
