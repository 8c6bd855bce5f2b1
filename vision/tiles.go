package vision

import (
	"image"
	"math"
)

// The detector's network needs memory in proportion to its input, and ONNX
// Runtime's arena keeps what the largest inputs needed: one session that
// had run 5.5 MP scans (a 12 MP photo's fine scan) held about 640 MB, two
// workers twice that. Scans larger than maxTilePixels are therefore run in
// overlapping tiles, after which a session holds about 200 MB. The seams
// cost about a tenth more detection time.
const (
	// maxTilePixels is the largest input of one network call. A 12 MP
	// photo's fine scan (5.5 MP, 6.5 with its border) becomes 2x2 tiles
	// of about 1.9 MP.
	maxTilePixels = 2.2e6
	// tileOverlap is how much neighbouring tiles share, in scan pixels. A
	// tile keeps the faces whose centre lies in its core (its share of
	// the overlaps, cut in the middle) and that reach none of its inner
	// edges, so a face up to tileOverlap tall is found whole by one tile.
	// A larger face on a seam is left to the coarser scan, where it is
	// at least 40 px tall (a 12 MP photo's coarse scan is 5.7 times
	// smaller than its fine one).
	tileOverlap = 256
	// tileEdgeMargin is how close to an inner edge a box may come: a face
	// cut by the tile's edge has its box at the edge or beyond it.
	tileEdgeMargin = 2
)

// tile is one network call's part of a scan: rect is what it reads, core
// what it answers for.
type tile struct {
	rect, core image.Rectangle
}

// tileGrid splits r into the grid of tiles, each at most maxPixels and
// overlapping its neighbours by at least overlap pixels, that has the
// fewest pixels in all; r itself when it fits in one. Tiles start at
// multiples of retinaFaceAlign from r's corner, as the network's grids do
// in r, so that away from its edges a tile sees what the whole scan
// would; the last ones are cut by r's edge, which the network pads as it
// pads r.
func tileGrid(r image.Rectangle, maxPixels float64, overlap int) []tile {
	w, h := r.Dx(), r.Dy()
	if float64(w)*float64(h) <= maxPixels {
		return []tile{{r, r}}
	}
	best, bestX, bestY := math.Inf(1), tiling{}, tiling{}
	for cols := 1; cols <= 16; cols++ {
		for rows := 1; rows <= 16; rows++ {
			x, y := newTiling(w, cols, overlap), newTiling(h, rows, overlap)
			if float64(x.size)*float64(y.size) > maxPixels {
				continue
			}
			if total := float64(x.covered() * y.covered()); total < best {
				best, bestX, bestY = total, x, y
			}
		}
	}
	if bestX.count == 0 {
		// Tiles with such an overlap cannot fit: one call, whatever it costs.
		return []tile{{r, r}}
	}
	grid := make([]tile, 0, bestX.count*bestY.count)
	for j := range bestY.count {
		for i := range bestX.count {
			x0, x1, cx0, cx1 := bestX.span(i)
			y0, y1, cy0, cy1 := bestY.span(j)
			grid = append(grid, tile{
				rect: image.Rect(x0, y0, x1, y1).Add(r.Min),
				core: image.Rect(cx0, cy0, cx1, cy1).Add(r.Min),
			})
		}
	}
	return grid
}

// tiling is how tiles split one axis of length: count tiles of size,
// starting every step pixels, the last one cut at the end.
type tiling struct {
	length, count, size, step, overlap int
}

func newTiling(length, count, overlap int) tiling {
	if count == 1 {
		return tiling{length: length, count: 1, size: length, step: length, overlap: overlap}
	}
	step := alignUp(ceilDiv(max(length-overlap, 1), count), retinaFaceAlign)
	return tiling{length: length, count: count, size: min(step+overlap, length), step: step, overlap: overlap}
}

// covered is the pixels of all the tiles along the axis.
func (t tiling) covered() int {
	_, last, _, _ := t.span(t.count - 1)
	return (t.count-1)*t.size + last - (t.count-1)*t.step
}

// span returns where tile i starts and ends, and where its core does: the
// middle of its overlap with each neighbour, or the axis' ends.
func (t tiling) span(i int) (start, end, coreStart, coreEnd int) {
	start = i * t.step
	end = min(start+t.size, t.length)
	coreStart, coreEnd = 0, t.length
	if i > 0 {
		coreStart = start + t.overlap/2
	}
	if i < t.count-1 {
		coreEnd = (i+1)*t.step + t.overlap/2
	}
	return start, end, coreStart, coreEnd
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// answers reports whether the tile t of a scan bounded by scan answers
// for the detection box: its centre is in t's core and it reaches none of
// t's inner edges (the scan's own edges are not inner).
func (t tile) answers(box, scan image.Rectangle) bool {
	centre := image.Pt((box.Min.X+box.Max.X)/2, (box.Min.Y+box.Max.Y)/2)
	if !centre.In(t.core) {
		return false
	}
	return (t.rect.Min.X == scan.Min.X || box.Min.X >= t.rect.Min.X+tileEdgeMargin) &&
		(t.rect.Min.Y == scan.Min.Y || box.Min.Y >= t.rect.Min.Y+tileEdgeMargin) &&
		(t.rect.Max.X == scan.Max.X || box.Max.X <= t.rect.Max.X-tileEdgeMargin) &&
		(t.rect.Max.Y == scan.Max.Y || box.Max.Y <= t.rect.Max.Y-tileEdgeMargin)
}
