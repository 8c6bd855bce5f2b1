package vision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/disintegration/imaging"
)

// Detector names the network that found a face.
type Detector string

// RetinaFace is the face detector: RetinaFace-MobileNet0.25 run by ONNX
// Runtime. It was chosen over CenterFace and dlib's HOG and MMOD by
// measurement (DEVELOPERS.md): it finds faces at every head angle, and at
// equal CPU time it finds more small faces than CenterFace.
const RetinaFace Detector = "retinaface"

// DescriptorSize is the length of a face descriptor.
const DescriptorSize = 128

// Descriptor is dlib's 128-d face descriptor: faces of one person lie
// within about 0.5 of each other (Euclidean distance).
type Descriptor [DescriptorSize]float32

// Face is one face found in a photo.
type Face struct {
	// Box is the face in the oriented photo's coordinates, clamped to it.
	// It runs from the forehead to the chin.
	Box image.Rectangle
	// Score is the detector's confidence, from 0 to 1.
	Score float64
	// Detector is the network that found the face.
	Detector Detector
	// Landmarks are the eye corners and nose tip (dlib's 5-point model).
	Landmarks [5]image.Point
	// Descriptor identifies the face; compare with Matcher.
	Descriptor Descriptor
}

// FaceFinder finds and describes the faces in a photo. Engine is the real
// implementation; tests of other packages can provide a fake.
type FaceFinder interface {
	Find(ctx context.Context, p *Photo) ([]Face, error)
}

// FaceDescriber is a FaceFinder whose finding of faces can be kept and
// used again: it describes a face at a box it found before without
// searching the photo again, and DetectionKey names everything that
// decides which boxes Find returns (the detector's model, its options,
// the revision of the code around it), so that boxes kept from one
// detector are never taken for another's. Engine is one.
type FaceDescriber interface {
	FaceFinder
	// Describe computes the descriptor of the face in box, as Find would
	// have for a face it found there.
	Describe(ctx context.Context, p *Photo, box image.Rectangle) (Descriptor, error)
	// DetectionKey changes whenever Find could return other boxes for
	// the same photo.
	DetectionKey() string
}

// DetectOptions set how hard the engine looks for faces. The detector sees
// a photo at several sizes (a pyramid): the finest decides the smallest
// face found, the coarsest the largest, and the ones between find again,
// at another scale, faces the others scored low. Its cost grows with the
// pixels it scans, about 0.12 CPU seconds a megapixel, so the finest size
// is a pixel budget: a 12 MP photo is scanned at 5.5 MP, where faces from
// about 25 px are found; a scan of 0.25 MP is enlarged four times, where
// faces down to about 5 px of it are. The defaults were measured on the
// shared test data (see the package tests and DEVELOPERS.md).
type DetectOptions struct {
	// FinePixels is the size of the finest scan; MaxUpscale caps the
	// enlargement of small photos.
	FinePixels float64
	MaxUpscale float64
	// TotalPixels bounds the pixels of all scans together: below the
	// finest, each scan halves the size while the budget lasts.
	TotalPixels float64
	// CoarseSide is the longest side of the coarsest scan: the network's
	// largest anchors are 512 px, so a face filling the photo is found
	// there.
	CoarseSide int
	// GapRatio: when the finest and the coarsest scan lie more than
	// GapRatio times apart with no scan between them (the budget left
	// none), a scan 2.5 times smaller than the finest looks for the
	// faces the others missed (see betweenScale); 0 adds none.
	GapRatio float64
	// Threshold is the lowest score kept. Recall comes first: a needless
	// blur costs far less than a missed child. Every face found in the
	// dlib, CMU+MIT and AFW photos and the children's crops scores 0.5 or
	// more, but 7 of the 317 found in the crowds score less, and of 1,114
	// faces cut by the photo's edge or half covered (the dlib and AFW
	// photos cropped as cli's TestVetHidesEveryFaceCLI crops them) 0.2
	// finds 99.3% and 0.5 only 96.9%; the price is about two patterns a
	// photo that are not faces (at 0.5, one). DEVELOPERS.md has the
	// figures.
	Threshold float64
	// EdgeThreshold is the lowest score kept for a box that reaches the
	// photo's edge: a face cut there shows the network less of itself,
	// and scores lower, than a whole one. Of the largest faces of the dlib
	// and AFW photos cut to a quarter or a third at one edge (877 crops),
	// 0.2 finds 721 and 0.1 finds 771, losing none and adding only boxes
	// at the edge: false detections per photo 4.90 -> 5.62 on AFW, 0.33 ->
	// 0.59 on the children, none more in the crowds (DEVELOPERS.md).
	EdgeThreshold float64
	// A face that is small in the finest scan may score under Threshold
	// there and well above it seen closer. The finest scan's boxes that
	// score at least CandidateThreshold, are at most CandidateSide px
	// tall in the scan and overlap no face found are looked at again,
	// enlarged CloserScale times more than in the finest scan (at most
	// MaxUpscale times the photo); what scores CloserThreshold there and
	// is at least MinCloserFace px tall in the photo is a face. On the
	// ten 12 MP crowds of make bench-peers this finds 81 of 92 faces under
	// 40 px instead of 49, for about a tenth more detection time. Found
	// closer, a face under MinCloserFace px (the design asks for faces
	// from about 20) was almost always leaves or bark, and CloserThreshold
	// 0.35 found as many faces as 0.2 with a third fewer false ones
	// (DEVELOPERS.md).
	CandidateThreshold float64
	CandidateSide      int
	CloserScale        float64
	CloserThreshold    float64
	MinCloserFace      int
	// Threads is how many threads each network call uses. With one batch
	// worker per core, 1: the workers keep the cores busy, and more
	// threads per call would only fight over them.
	Threads int
}

// DefaultDetectOptions returns the settings the package tests measure:
// recall first, then speed (figures in DEVELOPERS.md: about 1.4 CPU
// seconds for a 12 MP photo with 36 faces).
func DefaultDetectOptions() DetectOptions {
	return DetectOptions{
		FinePixels:    5.5e6,
		MaxUpscale:    4,
		TotalPixels:   6.5e6,
		CoarseSide:    480,
		GapRatio:      4,
		Threshold:     0.2,
		EdgeThreshold: 0.1,
		Threads:       1,

		CandidateThreshold: 0.02,
		CandidateSide:      27,
		CloserScale:        2.2,
		CloserThreshold:    0.35,
		MinCloserFace:      14,
	}
}

// minScanSide is the shortest side a scan of the pyramid below the finest
// must keep: under it a scan cannot hold a face the detector finds.
const minScanSide = 32

// detectionRevision is the revision of the code that turns the network's
// output into boxes (the pyramid, the border, merging, clamping): raise it
// with every change there that can move a box, so that boxes kept from
// the old code (FaceDescriber.DetectionKey) are found again.
const detectionRevision = 4

// detectionKey names what decides the boxes found with o: the code's
// revision, the detector's model (its recorded SHA-256) and the options
// that change what is found. Threads changes neither the boxes nor
// their scores.
func (o DetectOptions) detectionKey() string {
	model, _ := recordedSum(RetinaFaceModel)
	text := fmt.Sprintf("revision %d; %s %s; fine %g, upscale %g, total %g, coarse %d, gap %g, threshold %g, edge %g; closer %g, %d, %g, %g, %d",
		detectionRevision, RetinaFaceModel, model, o.FinePixels, o.MaxUpscale, o.TotalPixels, o.CoarseSide, o.GapRatio, o.Threshold, o.EdgeThreshold,
		o.CandidateThreshold, o.CandidateSide, o.CloserScale, o.CloserThreshold, o.MinCloserFace)
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:16])
}

// scales returns the factors by which the photo of the given size is
// resized for each scan, finest first.
func (o DetectOptions) scales(w, h int) []float64 {
	pixels := float64(w) * float64(h)
	short := float64(min(w, h))
	fine := math.Min(o.MaxUpscale, math.Sqrt(o.FinePixels/pixels))
	coarsest := float64(o.CoarseSide) / float64(max(w, h))
	coarse := coarsest
	if coarse > fine/1.5 || coarse*short < minScanSide {
		coarse = 0 // the finest scan covers the largest faces too
	}
	out := []float64{fine}
	budget := o.TotalPixels - (fine*fine+coarse*coarse)*pixels
	for s := fine / 2; s > coarsest*1.5 && s*short >= minScanSide && s*s*pixels <= budget; s /= 2 {
		out = append(out, s)
		budget -= s * s * pixels
	}
	if coarse > 0 {
		out = append(out, coarse)
	}
	return out
}

// ErrClosed reports use of an Engine after Close.
var ErrClosed = errors.New("face engine closed")

// worker is one set of models: a photo is processed by one worker at a
// time, since dlib's shape predictor keeps per-call state, and each
// worker's network calls run on its own thread.
type worker struct {
	detector  *retinaFace
	dlib      *dlibEngine
	describer *describer
}

func (w *worker) close() {
	if w.detector != nil {
		w.detector.close()
	}
	if w.dlib != nil {
		w.dlib.close()
	}
	if w.describer != nil {
		w.describer.close()
	}
}

// Engine is the FaceFinder: RetinaFace finds the faces, dlib's shape
// predictor places their landmarks and cuts out their chips, and dlib's
// descriptor network, run in ONNX Runtime, describes them. It holds one
// set of models per worker, loaded once; each Find borrows one set, so up
// to Workers photos are processed in parallel. Engine is safe for
// concurrent use.
type Engine struct {
	opts  DetectOptions
	idle  chan *worker
	all   []*worker
	done  chan struct{}
	close sync.Once
}

// NewEngine loads the models from modelDir (see ModelDir) workers times;
// workers <= 0 means runtime.NumCPU(). Every model file is verified
// against its recorded SHA-256 before it is loaded.
func NewEngine(modelDir string, workers int, opts DetectOptions) (*Engine, error) {
	if _, err := CheckModels(modelDir); err != nil {
		return nil, err
	}
	limitMallocArenas()
	if err := loadRuntime(filepath.Join(modelDir, RuntimeLibrary)); err != nil {
		return nil, err
	}
	network, err := readVerified(modelDir, RetinaFaceModel)
	if err != nil {
		return nil, err
	}
	descriptors, err := newDescriptorNetwork(filepath.Join(modelDir, DescriptorModel), chipSide)
	if err != nil {
		return nil, err
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	e := &Engine{opts: opts, idle: make(chan *worker, workers), done: make(chan struct{})}
	for range workers {
		w := &worker{}
		threads := max(1, opts.Threads)
		if w.detector, err = newRetinaFace(network, threads); err == nil {
			if w.dlib, err = newDlibEngine(modelDir); err == nil {
				w.describer, err = newDescriber(descriptors, threads)
			}
		}
		if err != nil {
			w.close()
			for _, loaded := range e.all {
				loaded.close()
			}
			return nil, err
		}
		e.all = append(e.all, w)
		e.idle <- w
	}
	return e, nil
}

// readVerified reads a model file and checks it against its recorded
// SHA-256, so that the bytes checked are the bytes loaded.
func readVerified(dir, name string) ([]byte, error) {
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("face model %s: %w", path, err)
	}
	if err := verifyBytes(data, name); err != nil {
		return nil, fmt.Errorf("face model %s: %w", path, err)
	}
	return data, nil
}

// DetectionKey names the engine's detector and options (see
// FaceDescriber).
func (e *Engine) DetectionKey() string { return e.opts.detectionKey() }

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
func (e *Engine) acquire(ctx context.Context) (*worker, error) {
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
	case w := <-e.idle:
		return w, nil
	}
}

func (e *Engine) release(w *worker) { e.idle <- w }

// describeBatch is how many faces go through the descriptor network at
// once: in ONNX Runtime, batches of 8 took a quarter less time a face than
// one at a time (36 faces: 0.24 against 0.31 CPU seconds), larger ones
// hardly less, and the network's memory grows with the batch.
const describeBatch = 8

// Find detects the faces in p and describes each, in reading order.
func (e *Engine) Find(ctx context.Context, p *Photo) ([]Face, error) {
	w, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer e.release(w)
	found, err := detectFaces(ctx, w.detector, p.Image, e.opts)
	if err != nil {
		return nil, err
	}
	faces, err := w.describe(ctx, p.Image, found)
	if err != nil {
		return nil, err
	}
	inReadingOrder(faces)
	// What the scans' native code freed would otherwise stay with this
	// thread's arena (see malloc.go).
	returnFreeMemory()
	return faces, nil
}

// inReadingOrder sorts faces as a reader meets them: in rows from the top,
// each row from the left, so that the reviewer's face numbers run across
// a group photo as its people stand. A face joins the row while its
// centre lies above the lowest chin in the row so far: heads in a line
// bob up and down, and a row behind stands about a head higher.
func inReadingOrder(faces []Face) {
	centre := func(f Face) image.Point { return f.Box.Min.Add(f.Box.Max).Div(2) }
	slices.SortStableFunc(faces, func(a, b Face) int { return centre(a).Y - centre(b).Y })
	for start := 0; start < len(faces); {
		end, bottom := start+1, faces[start].Box.Max.Y
		for end < len(faces) && centre(faces[end]).Y < bottom {
			bottom = max(bottom, faces[end].Box.Max.Y)
			end++
		}
		slices.SortStableFunc(faces[start:end], func(a, b Face) int { return centre(a).X - centre(b).X })
		start = end
	}
}

// describe gives each face found in img its landmarks and descriptor.
func (w *worker) describe(ctx context.Context, img *image.NRGBA, found []rawDetection) ([]Face, error) {
	faces := make([]Face, 0, len(found))
	for batch := range slices.Chunk(found, describeBatch) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		boxes := make([]image.Rectangle, len(batch))
		for i, f := range batch {
			boxes[i] = dlibBox(f.Box)
		}
		descs, marks, err := w.describeBoxes(img, boxes)
		if err != nil {
			return nil, err
		}
		for i, f := range batch {
			faces = append(faces, Face{Box: f.Box, Score: f.Score, Detector: RetinaFace, Landmarks: marks[i], Descriptor: descs[i]})
		}
	}
	return faces, nil
}

// describeBoxes computes the descriptors and the 5 landmarks of the faces
// in boxes (dlib's boxes), all through the network together: a batch
// costs less per face than one face at a time.
func (w *worker) describeBoxes(img *image.NRGBA, boxes []image.Rectangle) ([]Descriptor, [][5]image.Point, error) {
	chips, marks, err := w.dlib.chips(img, boxes)
	if err != nil || len(boxes) == 0 {
		return nil, nil, err
	}
	descs, err := w.describer.describe(chips, len(boxes), chipSide)
	if err != nil {
		return nil, nil, err
	}
	return descs, marks, nil
}

// Describe computes the descriptor of the face in box, a box as Find
// returns or a reviewer draws them (forehead to chin): for a box Find
// returned, the descriptor Find gave it.
func (e *Engine) Describe(ctx context.Context, p *Photo, box image.Rectangle) (Descriptor, error) {
	box = box.Intersect(p.Image.Rect)
	if box.Empty() {
		return Descriptor{}, fmt.Errorf("describe face: box outside the %dx%d photo", p.Width, p.Height)
	}
	w, err := e.acquire(ctx)
	if err != nil {
		return Descriptor{}, err
	}
	defer e.release(w)
	descs, _, err := w.describeBoxes(p.Image, []image.Rectangle{dlibBox(box)})
	if err != nil {
		return Descriptor{}, err
	}
	return descs[0], nil
}

// dlibBox turns a detector's box into the box dlib's shape predictor was
// trained on (its HOG detector's: square, from the eyebrows to the chin).
// The offsets are the medians over 207 faces of the shared photos found
// by both (see TestDlibBox).
func dlibBox(b image.Rectangle) image.Rectangle {
	w, h := float64(b.Dx()), float64(b.Dy())
	cx := float64(b.Min.X+b.Max.X)/2 + dlibBoxShiftX*w
	cy := float64(b.Min.Y+b.Max.Y)/2 + dlibBoxShiftY*h
	side := dlibBoxSide * math.Sqrt(w*h)
	return rectF(cx-side/2, cy-side/2, cx+side/2, cy+side/2)
}

// The calibration of dlibBox.
const (
	dlibBoxShiftX = 0.025
	dlibBoxShiftY = 0.042
	dlibBoxSide   = 0.97
)

// maxFaceInScan is the tallest face kept from a scan that has a coarser
// one after it. The network's largest anchors are 512 px: a face far
// larger than that, in a small photo enlarged for its small faces, is
// found in parts (its eyes, its mouth and chin) as well as whole, and the
// parts would be faces of their own. The coarser scan finds it at a size
// the network was trained on.
const maxFaceInScan = 400

// detectFaces scans img at every scale of the pyramid, looks closer at
// the finest scan's small candidates, and merges what was found: boxes in
// img's coordinates, clamped, best score first.
func detectFaces(ctx context.Context, d *retinaFace, img *image.NRGBA, opts DetectOptions) ([]rawDetection, error) {
	var all, between, candidates []rawDetection
	scales := opts.scales(img.Rect.Dx(), img.Rect.Dy())
	gapAt := -1
	if gap := opts.betweenScale(scales); gap > 0 {
		gapAt = 1
		scales = slices.Insert(scales, gapAt, gap)
	}
	for i, scale := range scales {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		scaled, sx, sy := resized(img, scale)
		pad := borderFor(scaled, i == len(scales)-1)
		threshold := min(opts.Threshold, opts.EdgeThreshold)
		if i == 0 {
			threshold = min(threshold, opts.CandidateThreshold)
		}
		scan := d.detectTiled
		if i == len(scales)-1 {
			scan = d.detect // no coarser scan finds a large face on a seam
		}
		found, err := scan(mirrored(scaled, pad), float32(threshold))
		if err != nil {
			return nil, err
		}
		var faces, weak []rawDetection
		for _, f := range suppress(found, 0.4) {
			if area(f.Box.Intersect(scaled.Rect))*10 < area(f.Box)*3 {
				continue // mostly in the border: a reflection of a face inside
			}
			if i < len(scales)-1 && f.Box.Dy() > maxFaceInScan {
				continue // a coarser scan sees this face at a size the network knows
			}
			keep := opts.Threshold
			if reachesEdge(f.scaled(1/sx, 1/sy).Box, img.Rect) {
				keep = min(keep, opts.EdgeThreshold)
			}
			switch {
			case f.Score >= keep:
				faces = append(faces, f)
			case i == 0 && f.Box.Dy() <= opts.CandidateSide:
				weak = append(weak, f)
			}
		}
		for _, w := range weak {
			if !slices.ContainsFunc(faces, func(f rawDetection) bool { return IoU(f.Box, w.Box) >= 0.3 }) {
				candidates = append(candidates, w.scaled(1/sx, 1/sy))
			}
		}
		for _, f := range faces {
			if i == gapAt {
				between = append(between, f.scaled(1/sx, 1/sy))
			} else {
				all = append(all, f.scaled(1/sx, 1/sy))
			}
		}
	}
	if len(scales) > 0 {
		closer, err := lookCloser(ctx, d, img, candidates, min(scales[0]*opts.CloserScale, opts.MaxUpscale), opts)
		if err != nil {
			return nil, err
		}
		all = append(all, closer...)
	}
	merged := addMissed(mergeDetections(all), mergeDetections(between))
	for i := range merged {
		merged[i].Box = merged[i].Box.Intersect(img.Rect)
	}
	return slices.DeleteFunc(merged, func(r rawDetection) bool { return r.Box.Empty() }), nil
}

// betweenScale returns the scale of a scan between the finest and the
// coarsest of scales, when the budget left none and they lie more than
// GapRatio times apart, or 0. A face too tall for the finest scan
// (maxFaceInScan: over 590 px in a 12 MP photo) is then seen only by the
// coarsest, where it is 70 px or more: enough for a whole face, but a
// close-up cut by the photo's edge shows the network too little of itself
// there. At a 2.5th of the finest scale it is 160 px or more. Of 405
// close-ups cut at one edge and enlarged to 12 MP, it leaves 38 covered
// less than a third instead of 52, for an eighth more detection time; at
// half the finest, 41 for a quarter more (DEVELOPERS.md).
func (o DetectOptions) betweenScale(scales []float64) float64 {
	if o.GapRatio <= 0 || len(scales) != 2 || scales[0] < o.GapRatio*scales[1] {
		return 0
	}
	return scales[0] / betweenStep
}

// betweenStep is how much smaller than the finest scan the scan between it
// and the coarsest is.
const betweenStep = 2.5

// addMissed returns found with the boxes of extra that neither overlap a
// box of found by IoU 0.3 nor lie mostly inside one, best score first: a
// scan that only adds faces, so that the boxes of the faces the other
// scans found, and the landmarks and descriptors computed on them, stay as
// they were.
func addMissed(found, extra []rawDetection) []rawDetection {
	out := slices.Clone(found)
	for _, x := range extra {
		if !slices.ContainsFunc(found, func(f rawDetection) bool {
			return IoU(f.Box, x.Box) >= 0.3 || area(f.Box.Intersect(x.Box))*10 >= area(x.Box)*7
		}) {
			out = append(out, x)
		}
	}
	slices.SortStableFunc(out, func(a, b rawDetection) int { return cmpScore(b.Score, a.Score) })
	return out
}

// reachesEdge reports whether box, unclamped, reaches within 2 px of the
// edge of bounds or crosses it (see DetectOptions.EdgeThreshold).
func reachesEdge(box, bounds image.Rectangle) bool {
	const near = 2
	return box.Min.X <= bounds.Min.X+near || box.Min.Y <= bounds.Min.Y+near ||
		box.Max.X >= bounds.Max.X-near || box.Max.Y >= bounds.Max.Y-near
}

// scaled returns r with its box and landmarks scaled by sx and sy.
func (r rawDetection) scaled(sx, sy float64) rawDetection {
	r.Box = rectF(float64(r.Box.Min.X)*sx, float64(r.Box.Min.Y)*sy, float64(r.Box.Max.X)*sx, float64(r.Box.Max.Y)*sy)
	for i, m := range r.Landmarks {
		r.Landmarks[i] = pointF(float64(m.X)*sx, float64(m.Y)*sy)
	}
	return r
}

// The windows looked at closer: a candidate sits in the middle of a
// window closerWindow times its height (at least minCloserWindow px of
// the enlarged photo), so that the face is whole in it with the context
// the network needs; overlapping windows are scanned as one while that
// stays under the finest scan's pixels (so memory stays as bounded as
// there). closerBorder is the mirrored border around each window.
const (
	closerWindow    = 3
	minCloserWindow = 96
	closerBorder    = 32
)

// lookCloser scans img around each candidate (boxes in img's
// coordinates), enlarged by scale, and returns the faces found there that
// score at least opts.CloserThreshold and are at least opts.MinCloserFace
// px tall, in img's coordinates.
func lookCloser(ctx context.Context, d *retinaFace, img *image.NRGBA, candidates []rawDetection, scale float64, opts DetectOptions) ([]rawDetection, error) {
	var found []rawDetection
	for _, win := range closerWindows(img.Rect, candidates, scale, opts.FinePixels) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		enlarged, sx, sy := resized(imaging.Crop(img, win), scale)
		faces, err := d.detectTiled(mirrored(enlarged, closerBorder), float32(opts.CloserThreshold))
		if err != nil {
			return nil, err
		}
		for _, f := range suppress(faces, 0.4) {
			if area(f.Box.Intersect(enlarged.Rect))*10 < area(f.Box)*3 {
				continue // mostly in the border
			}
			f = f.scaled(1/sx, 1/sy)
			if f.Box.Dy() < opts.MinCloserFace {
				continue
			}
			f.Box = f.Box.Add(win.Min)
			for i := range f.Landmarks {
				f.Landmarks[i] = f.Landmarks[i].Add(win.Min)
			}
			found = append(found, f)
		}
	}
	return found, nil
}

// closerWindows returns the parts of bounds to look at closer for the
// candidates, at most maxPixels each once enlarged by scale.
func closerWindows(bounds image.Rectangle, candidates []rawDetection, scale, maxPixels float64) []image.Rectangle {
	var wins []image.Rectangle
	for _, c := range candidates {
		side := max(closerWindow*c.Box.Dy(), int(minCloserWindow/scale))
		center := c.Box.Min.Add(c.Box.Max).Div(2)
		win := image.Rect(center.X-side/2, center.Y-side/2, center.X-side/2+side, center.Y-side/2+side).Intersect(bounds)
		if !win.Empty() {
			wins = append(wins, win)
		}
	}
	fits := func(r image.Rectangle) bool { return float64(r.Dx())*float64(r.Dy())*scale*scale <= maxPixels }
	// Merge until no two windows overlap that fit together; each pass
	// grows a window as far as it goes before moving on.
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(wins); i++ {
			for j := i + 1; j < len(wins); j++ {
				if u := wins[i].Union(wins[j]); wins[i].Overlaps(wins[j]) && fits(u) {
					wins[i] = u
					wins = slices.Delete(wins, j, j+1)
					merged = true
					j = i // the grown window may now overlap earlier ones
				}
			}
		}
	}
	return wins
}

// A face cut by the photo's edge scores low when it meets the edge of the
// network's input as well: the network was trained on whole faces. Each
// scan therefore sees the photo with a mirrored border, in which a face
// cut through its middle becomes whole again (measured on the dlib and AFW
// photos cut through a face: at the top edge 79 of 87 faces found instead
// of 62, at the sides 178 of 189 instead of 172). The border is as wide as
// half the largest face that a cut leaves hard to find: fineBorder px in
// the finer scans (at most 15% of the short side, so a small photo does
// not grow much), a quarter of the long side in the coarsest, which holds
// the faces that fill the photo (at most half its short side).
const fineBorder = 96

// borderFor returns the mirrored border added to a scan of img.
func borderFor(img *image.NRGBA, coarsest bool) int {
	short, long := min(img.Rect.Dx(), img.Rect.Dy()), max(img.Rect.Dx(), img.Rect.Dy())
	if coarsest {
		// No face is taller than the short side.
		return min(short/2, long/4)
	}
	return min(fineBorder, short*15/100)
}

// mirrored returns img with a border of pad pixels on every side that
// mirrors the photo's edge (the edge pixel itself not repeated). A border
// wider than the photo folds back and forth.
func mirrored(img *image.NRGBA, pad int) *image.NRGBA {
	if pad <= 0 {
		return img
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewNRGBA(image.Rect(-pad, -pad, w+pad, h+pad))
	fold := func(v, n int) int {
		if n == 1 {
			return 0
		}
		period := 2 * (n - 1)
		v = ((v % period) + period) % period
		if v >= n {
			v = period - v
		}
		return v
	}
	cols := make([]int, w+2*pad)
	for x := range cols {
		cols[x] = 4 * fold(x-pad, w)
	}
	for y := -pad; y < h+pad; y++ {
		src := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+fold(y, h)):]
		dst := out.Pix[out.PixOffset(-pad, y):]
		if y >= 0 && y < h {
			copy(dst[4*pad:4*(pad+w)], src[:4*w])
			for x := range pad {
				copy(dst[4*x:4*x+4], src[cols[x]:cols[x]+4])
				xr := pad + w + x
				copy(dst[4*xr:4*xr+4], src[cols[xr]:cols[xr]+4])
			}
			continue
		}
		for x, c := range cols {
			copy(dst[4*x:4*x+4], src[c:c+4])
		}
	}
	return out
}

// resized returns img resized by scale (at least 1x1 px), and the
// horizontal and vertical factors actually applied after rounding.
func resized(img *image.NRGBA, scale float64) (*image.NRGBA, float64, float64) {
	w := max(1, int(math.Round(float64(img.Rect.Dx())*scale)))
	h := max(1, int(math.Round(float64(img.Rect.Dy())*scale)))
	if w == img.Rect.Dx() && h == img.Rect.Dy() {
		return img, 1, 1
	}
	return resample(img, w, h), float64(w) / float64(img.Rect.Dx()), float64(h) / float64(img.Rect.Dy())
}

// suppress keeps, of boxes overlapping by IoU iou or more, the best scored
// (non-maximum suppression within one scan).
func suppress(dets []rawDetection, iou float64) []rawDetection {
	slices.SortStableFunc(dets, func(a, b rawDetection) int { return cmpScore(b.Score, a.Score) })
	var kept []rawDetection
	for _, d := range dets {
		if !slices.ContainsFunc(kept, func(k rawDetection) bool { return IoU(k.Box, d.Box) >= iou }) {
			kept = append(kept, d)
		}
	}
	return kept
}

func cmpScore(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// mergeDetections keeps, of each group of boxes the scans found for one
// face, the best scored.
func mergeDetections(dets []rawDetection) []rawDetection {
	slices.SortStableFunc(dets, func(a, b rawDetection) int { return cmpScore(b.Score, a.Score) })
	var kept []rawDetection
	for _, d := range dets {
		if !slices.ContainsFunc(kept, func(k rawDetection) bool { return sameFace(k.Box, d.Box) }) {
			kept = append(kept, d)
		}
	}
	return kept
}

// sameFace reports whether two boxes are one face: they overlap by IoU 0.3,
// or a box of at least a ninth of the other's area (a third of its side)
// lies mostly inside it: a face and its forehead, eyes or chin found
// apart. A smaller box inside a larger one is kept apart: that is a face in
// front of a low-scored box over a whole group, and merging it would leave
// the face to the group box's fate.
func sameFace(a, b image.Rectangle) bool {
	inter := area(a.Intersect(b))
	if inter == 0 {
		return false
	}
	small, large := min(area(a), area(b)), max(area(a), area(b))
	union := area(a) + area(b) - inter
	return float64(inter) >= 0.3*float64(union) ||
		float64(inter) >= 0.7*float64(small) && float64(small)*9 >= float64(large)
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

// rectF returns the smallest integer rectangle holding the given corners.
func rectF(x0, y0, x1, y1 float64) image.Rectangle {
	return image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1)))
}

func pointF(x, y float64) image.Point {
	return image.Pt(int(math.Round(x)), int(math.Round(y)))
}
