package vision

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/disintegration/imaging"
)

// Detector names the dlib detector that found a face.
type Detector string

// The detectors Engine combines.
const (
	HOG Detector = "hog" // histogram of oriented gradients: fast, frontal faces
	CNN Detector = "cnn" // MMOD convolutional network: slower, also turned faces
)

// DescriptorSize is the length of a face descriptor.
const DescriptorSize = 128

// Descriptor is dlib's 128-d face descriptor: faces of one person lie
// within about 0.5 of each other (Euclidean distance).
type Descriptor [DescriptorSize]float32

// Face is one face found in a photo.
type Face struct {
	// Box is the face in the oriented photo's coordinates, clamped to it.
	Box image.Rectangle
	// Score is the detector's confidence (HOG: SVM margin, CNN: MMOD
	// score); each detector has its own scale, both are above 0 for
	// confident hits.
	Score float64
	// Detector is the detector whose box was kept.
	Detector Detector
	// Landmarks are the eye corners and nose tip (dlib's 5-point model).
	Landmarks [5]image.Point
	// Descriptor identifies the face; compare with Matcher.
	Descriptor Descriptor
}

// FaceFinder finds and describes the faces in a photo. Engine is the dlib
// implementation; tests of other packages can provide a fake.
type FaceFinder interface {
	Find(ctx context.Context, p *Photo) ([]Face, error)
}

// DetectOptions set how hard the engine looks for faces. The detectors
// run on resized copies of the photo: HOG finds faces of about 80 px and
// up, the CNN of about 40 px and up (low-quality faces rather 100 px), so
// upsampling finds smaller faces at a cost that grows with the pixels
// scanned. The defaults were measured on the shared test data (see the
// package tests).
type DetectOptions struct {
	// HOGPixels is the size of the image HOG scans (its pyramid then steps
	// down from there); HOGMaxScale caps the upsampling of small photos.
	HOGPixels   float64
	HOGMaxScale float64
	// HOGThreshold is the lowest HOG score kept (dlib's default is 0).
	HOGThreshold float64
	// SmallPhoto is the size up to which a photo counts as small: scanned
	// or web-sized, where faces are necessarily few pixels high. The CNN
	// scans small photos upsampled to at most SmallCNNPixels (and
	// CNNMaxScale), larger photos downsampled to CNNPixels: there it only
	// adds large turned faces to what HOG finds, since it costs about 2.7
	// CPU seconds per megapixel.
	SmallPhoto     float64
	SmallCNNPixels float64
	CNNMaxScale    float64
	CNNPixels      float64
	// CNNThreshold is the lowest CNN score kept (dlib's default is 0).
	CNNThreshold float64
	// CNNTilePixels bounds the size of one CNN input, which bounds its
	// memory: dlib's CNN needs about 1 KB per input pixel while it runs
	// (its image pyramid, every layer's output and the unrolled input of
	// its last convolution), so 3 MP would take 3 GB a worker. A larger
	// resized photo is scanned in overlapping tiles of at most this size,
	// plus once whole, shrunk to this size, for the faces too large for a
	// tile's overlap. 0 means no tiling.
	CNNTilePixels float64
	// CNNTileOverlap is by how many pixels of the resized photo adjacent
	// tiles overlap: a face up to about this size lies whole inside some
	// tile. It must exceed the smallest face the CNN finds (about 40-50
	// px) times the shrinking of the whole-photo pass, sqrt(resized
	// pixels / CNNTilePixels), so that no face size falls between the two.
	CNNTileOverlap int
	// Jitters is how many jittered copies of each face a descriptor is
	// averaged over (dlib's num_jitters; 1 = the face as found). More
	// copies give steadier descriptors, at one network pass each.
	Jitters int
}

// DefaultDetectOptions returns the settings the package tests measure:
// recall first, and about one 12 MP photo a second on two cores.
func DefaultDetectOptions() DetectOptions {
	return DetectOptions{
		HOGPixels:      12e6,
		HOGMaxScale:    4,
		HOGThreshold:   0,
		SmallPhoto:     1e6,
		SmallCNNPixels: 3e6,
		CNNMaxScale:    3,
		CNNPixels:      0.35e6,
		CNNThreshold:   -0.5,
		CNNTilePixels:  0.5e6,
		CNNTileOverlap: 160,
		Jitters:        1,
	}
}

// scales returns the factors by which HOG and the CNN resize a photo of
// the given pixels.
func (o DetectOptions) scales(pixels float64) (hog, cnn float64) {
	hog = math.Min(o.HOGMaxScale, math.Sqrt(o.HOGPixels/pixels))
	if pixels <= o.SmallPhoto {
		cnn = math.Min(o.CNNMaxScale, math.Sqrt(o.SmallCNNPixels/pixels))
	} else {
		cnn = math.Min(o.CNNMaxScale, math.Sqrt(o.CNNPixels/pixels))
	}
	return hog, cnn
}

// ErrClosed reports use of an Engine after Close.
var ErrClosed = errors.New("face engine closed")

// Engine is the dlib FaceFinder. It holds one set of models per worker,
// loaded once; each Find borrows one set, so up to Workers photos are
// processed in parallel. Engine is safe for concurrent use.
type Engine struct {
	opts  DetectOptions
	idle  chan *dlibEngine
	all   []*dlibEngine
	done  chan struct{}
	close sync.Once
}

// NewEngine loads the models from modelDir (see ModelDir) workers times;
// workers <= 0 means runtime.NumCPU().
func NewEngine(modelDir string, workers int, opts DetectOptions) (*Engine, error) {
	if _, err := CheckModels(modelDir); err != nil {
		return nil, err
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	e := &Engine{opts: opts, idle: make(chan *dlibEngine, workers), done: make(chan struct{})}
	for range workers {
		d, err := newDlibEngine(modelDir)
		if err != nil {
			for _, loaded := range e.all {
				loaded.close()
			}
			return nil, err
		}
		e.all = append(e.all, d)
		e.idle <- d
	}
	return e, nil
}

// Workers returns how many photos the engine can process at once.
func (e *Engine) Workers() int { return len(e.all) }

// Close waits for running calls to finish and frees the models.
func (e *Engine) Close() error {
	e.close.Do(func() {
		close(e.done)
		for range e.all {
			(<-e.idle).close()
		}
	})
	return nil
}

// acquire borrows an idle model set; release gives it back.
func (e *Engine) acquire(ctx context.Context) (*dlibEngine, error) {
	select {
	case <-e.done:
		return nil, ErrClosed
	default:
	}
	select {
	case <-e.done:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	case d := <-e.idle:
		return d, nil
	}
}

func (e *Engine) release(d *dlibEngine) { e.idle <- d }

// Find detects the faces in p (HOG and CNN at the scales DetectOptions
// allow, overlaps merged) and describes each.
func (e *Engine) Find(ctx context.Context, p *Photo) ([]Face, error) {
	d, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer e.release(d)
	found, err := detectAll(ctx, d, p.Image, e.opts)
	if err != nil {
		return nil, err
	}
	faces := make([]Face, 0, len(found))
	for _, f := range found {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		desc, marks, err := d.describe(p.Image, f.Box, e.opts.Jitters)
		if err != nil {
			return nil, err
		}
		faces = append(faces, Face{Box: f.Box, Score: f.Score, Detector: f.Detector, Landmarks: marks, Descriptor: desc})
	}
	return faces, nil
}

// Describe computes the descriptor of the face in box (for example one a
// reviewer drew by hand).
func (e *Engine) Describe(ctx context.Context, p *Photo, box image.Rectangle) (Descriptor, error) {
	box = box.Intersect(p.Image.Rect)
	if box.Empty() {
		return Descriptor{}, fmt.Errorf("describe face: box outside the %dx%d photo", p.Width, p.Height)
	}
	d, err := e.acquire(ctx)
	if err != nil {
		return Descriptor{}, err
	}
	defer e.release(d)
	desc, _, err := d.describe(p.Image, box, e.opts.Jitters)
	return desc, err
}

// detectAll runs both detectors at their budgeted scales and merges the
// results.
func detectAll(ctx context.Context, d *dlibEngine, img *image.NRGBA, opts DetectOptions) ([]rawDetection, error) {
	var all []rawDetection
	hogScale, cnnScale := opts.scales(float64(img.Rect.Dx()) * float64(img.Rect.Dy()))
	runs := []struct {
		detector  Detector
		scale     float64
		threshold float64
	}{
		{HOG, hogScale, opts.HOGThreshold},
		{CNN, cnnScale, opts.CNNThreshold},
	}
	for _, run := range runs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var found []rawDetection
		var err error
		if run.detector == CNN {
			found, err = detectTiled(d, img, run.scale, run.threshold, opts.CNNTilePixels, opts.CNNTileOverlap)
		} else {
			found, err = detectScaled(d, img, run.detector, run.scale, run.threshold)
		}
		if err != nil {
			return nil, err
		}
		for i := range found {
			found[i].Score -= run.threshold
		}
		all = append(all, found...)
	}
	merged := mergeDetections(all)
	for i := range merged {
		if merged[i].Detector == HOG {
			merged[i].Score += opts.HOGThreshold
		} else {
			merged[i].Score += opts.CNNThreshold
		}
		merged[i].Box = merged[i].Box.Intersect(img.Rect)
	}
	return slices.DeleteFunc(merged, func(r rawDetection) bool { return r.Box.Empty() }), nil
}

// detectScaled runs one detector on img (which may be a sub-image) resized
// by scale and maps the boxes back. Downscaling is done here by area
// averaging (dlib's bilinear resize would alias); upscaling is left to dlib.
func detectScaled(d *dlibEngine, img *image.NRGBA, det Detector, scale, threshold float64) ([]rawDetection, error) {
	if scale >= 0.75 {
		return d.detect(img, img.Rect, scale, det, threshold)
	}
	w := max(1, int(math.Round(float64(img.Rect.Dx())*scale)))
	h := max(1, int(math.Round(float64(img.Rect.Dy())*scale)))
	small := imaging.Resize(img, w, h, imaging.Box)
	found, err := d.detect(small, small.Rect, 1, det, threshold)
	if err != nil {
		return nil, err
	}
	sx := float64(img.Rect.Dx()) / float64(w)
	sy := float64(img.Rect.Dy()) / float64(h)
	for i, f := range found {
		found[i].Box = image.Rect(
			int(float64(f.Box.Min.X)*sx), int(float64(f.Box.Min.Y)*sy),
			int(math.Ceil(float64(f.Box.Max.X)*sx)), int(math.Ceil(float64(f.Box.Max.Y)*sy))).Add(img.Rect.Min)
	}
	return found, nil
}

// detectTiled runs the CNN on img resized by scale in tiles of at most
// maxPixels resized pixels (see DetectOptions.CNNTilePixels), so that its
// memory stays bounded whatever the scale. A tile's hits that reach an
// edge it shares with another tile are dropped: such a face is cut, and
// lies whole in the neighbouring tile if it is smaller than the overlap, or
// is found by the whole-photo pass at the tile budget if it is larger.
func detectTiled(d *dlibEngine, img *image.NRGBA, scale, threshold, maxPixels float64, overlap int) ([]rawDetection, error) {
	tiles := cnnTiles(img.Rect, scale, maxPixels, overlap)
	if len(tiles) == 1 {
		return detectScaled(d, img, CNN, scale, threshold)
	}
	pixels := float64(img.Rect.Dx()) * float64(img.Rect.Dy())
	found, err := detectScaled(d, img, CNN, math.Min(scale, math.Sqrt(maxPixels/pixels)), threshold)
	if err != nil {
		return nil, err
	}
	margin := int(math.Ceil(4 / scale))
	for _, tile := range tiles {
		hits, err := detectScaled(d, img.SubImage(tile).(*image.NRGBA), CNN, scale, threshold)
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			b := h.Box
			cut := tile.Min.X > img.Rect.Min.X && b.Min.X < tile.Min.X+margin ||
				tile.Max.X < img.Rect.Max.X && b.Max.X > tile.Max.X-margin ||
				tile.Min.Y > img.Rect.Min.Y && b.Min.Y < tile.Min.Y+margin ||
				tile.Max.Y < img.Rect.Max.Y && b.Max.Y > tile.Max.Y-margin
			if !cut {
				found = append(found, h)
			}
		}
	}
	return found, nil
}

// cnnTiles splits bounds, to be resized by scale, into the fewest resized
// pixels of a grid of tiles of at most maxPixels (after resizing) that
// overlap by overlap resized pixels. It returns the tiles in bounds'
// coordinates; one tile (bounds) when the whole fits.
func cnnTiles(bounds image.Rectangle, scale, maxPixels float64, overlap int) []image.Rectangle {
	w, h := float64(bounds.Dx())*scale, float64(bounds.Dy())*scale
	if maxPixels <= 0 || w*h <= maxPixels {
		return []image.Rectangle{bounds}
	}
	// The overlap can take at most a third of a tile's side.
	o := math.Min(float64(overlap), math.Sqrt(maxPixels)/3)
	side := func(length float64, n int) float64 { return (length + float64(n-1)*o) / float64(n) }
	nx, ny, best := 0, 0, math.Inf(1)
	for i := 1; side(w, i) > 2*o || i == 1; i++ {
		for j := 1; side(h, j) > 2*o || j == 1; j++ {
			tw, th := side(w, i), side(h, j)
			if tw*th > maxPixels {
				continue
			}
			if total := float64(i*j) * tw * th; total < best {
				nx, ny, best = i, j, total
			}
			break // more rows only add pixels
		}
	}
	if nx == 0 { // unreachable with the cap on o; fall back to squares
		s := math.Sqrt(maxPixels)
		nx = int(math.Ceil((w - o) / (s - o)))
		ny = int(math.Ceil((h - o) / (s - o)))
	}
	cuts := func(lo, length int, n int, resized float64) [][2]int {
		t := side(resized, n)
		var out [][2]int
		for i := range n {
			a := lo + int(math.Floor(float64(i)*(t-o)/scale))
			b := lo + int(math.Ceil((float64(i)*(t-o)+t)/scale))
			if i == n-1 || b > lo+length {
				b = lo + length
			}
			out = append(out, [2]int{a, b})
		}
		return out
	}
	var tiles []image.Rectangle
	for _, y := range cuts(bounds.Min.Y, bounds.Dy(), ny, h) {
		for _, x := range cuts(bounds.Min.X, bounds.Dx(), nx, w) {
			tiles = append(tiles, image.Rect(x[0], y[0], x[1], y[1]))
		}
	}
	return tiles
}

// mergeDetections keeps, of each group of overlapping boxes, the one whose
// score is furthest above its detector's threshold (the scores arrive
// shifted so that 0 is the threshold).
func mergeDetections(dets []rawDetection) []rawDetection {
	slices.SortStableFunc(dets, func(a, b rawDetection) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	var kept []rawDetection
	for _, d := range dets {
		if !slices.ContainsFunc(kept, func(k rawDetection) bool { return sameFace(k.Box, d.Box) }) {
			kept = append(kept, d)
		}
	}
	return kept
}

// sameFace reports whether two boxes are one face: they overlap by IoU 0.3,
// or the smaller lies mostly inside the larger (a face and its chin or
// forehead found at another scale).
func sameFace(a, b image.Rectangle) bool {
	inter := area(a.Intersect(b))
	if inter == 0 {
		return false
	}
	union := area(a) + area(b) - inter
	return float64(inter) >= 0.3*float64(union) || float64(inter) >= 0.7*float64(min(area(a), area(b)))
}

func area(r image.Rectangle) int {
	if r.Empty() {
		return 0
	}
	return r.Dx() * r.Dy()
}

// IoU returns the intersection over union of two boxes.
func IoU(a, b image.Rectangle) float64 {
	inter := area(a.Intersect(b))
	if inter == 0 {
		return 0
	}
	return float64(inter) / float64(area(a)+area(b)-inter)
}
