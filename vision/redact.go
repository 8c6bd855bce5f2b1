package vision

import (
	"fmt"
	"image"
	"math/rand/v2"
)

// RedactStyle is how a face is hidden.
type RedactStyle string

// The redaction styles. Both cover the whole head and leave nothing a
// model could recover the face from.
const (
	// RedactBlur reduces the head to a few blocks across the face, smooths
	// them, lowers their contrast and adds a fine grain (the default).
	RedactBlur RedactStyle = "blur"
	// RedactSolid fills the head with a flat grey.
	RedactSolid RedactStyle = "solid"
)

// ParseRedactStyle accepts "blur" or "solid"; "" means blur.
func ParseRedactStyle(s string) (RedactStyle, error) {
	switch RedactStyle(s) {
	case "", RedactBlur:
		return RedactBlur, nil
	case RedactSolid:
		return RedactSolid, nil
	}
	return "", fmt.Errorf("unknown redaction style %q (want blur or solid)", s)
}

// HeadRegion is the area Redact covers for a face box: the box widened by
// 35% on each side and raised by 70% of its height above (hair) and 30%
// below (chin), clamped to bounds. dlib's boxes run from the eyebrows to the
// chin, so this covers the head.
func HeadRegion(face, bounds image.Rectangle) image.Rectangle {
	w, h := face.Dx(), face.Dy()
	return image.Rect(
		face.Min.X-w*35/100, face.Min.Y-h*70/100,
		face.Max.X+w*35/100, face.Max.Y+h*30/100,
	).Intersect(bounds)
}

// blocksAcrossFace is how many blocks the blur style leaves across a face:
// too few for a face recogniser or detector to find structure in.
const blocksAcrossFace = 3

// keptContrast is the share of the blocks' contrast the blur style keeps:
// enough to show where the head was, too little for light and shadow to
// form eyes and mouth. The nearest a blurred child's descriptor comes to
// the child's own, over the children's crops, is about 0.61 at a
// twentieth, as near as a solid grey head's (0.616 for that child): the
// grain differs with every export, and it measured 0.605 to 0.619 over six
// exports, 0.59 once in CI (see TestRedactChildren). At a tenth it was
// 0.61 in three CI runs but 0.59 in a fourth; at a fifth, 0.59.
const keptContrast = 0.05

// Redact returns a copy of img with the head around each face box hidden in
// the given style. Only the head regions are processed. img is not changed.
func Redact(img *image.NRGBA, faces []image.Rectangle, style RedactStyle) *image.NRGBA {
	regions := make([]redactRegion, 0, len(faces))
	for _, face := range faces {
		regions = append(regions, redactRegion{HeadRegion(face, img.Rect), max(2, face.Dx()/blocksAcrossFace)})
	}
	return redact(img, regions, style)
}

// RedactAreas returns a copy of img with each area hidden exactly as given
// (a reviewer's box: a missed face, a name tag) in the given style. img is
// not changed.
func RedactAreas(img *image.NRGBA, areas []image.Rectangle, style RedactStyle) *image.NRGBA {
	regions := make([]redactRegion, 0, len(areas))
	for _, a := range areas {
		a = a.Intersect(img.Rect)
		regions = append(regions, redactRegion{a, max(2, min(a.Dx(), a.Dy())/blocksAcrossFace)})
	}
	return redact(img, regions, style)
}

// redactRegion is an area to hide and the block size its blur keeps.
type redactRegion struct {
	area  image.Rectangle
	block int
}

func redact(img *image.NRGBA, regions []redactRegion, style RedactStyle) *image.NRGBA {
	out := &image.NRGBA{Pix: append([]byte(nil), img.Pix...), Stride: img.Stride, Rect: img.Rect}
	// Noise that differs per export: nothing to average out across copies.
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	for _, r := range regions {
		if r.area.Empty() {
			continue
		}
		if style == RedactSolid {
			fillSolid(out, r.area)
		} else {
			blurRegion(out, r.area, r.block, rng)
		}
	}
	return out
}

func fillSolid(img *image.NRGBA, r image.Rectangle) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = 0x80, 0x80, 0x80, 0xFF
		}
	}
}

// blurRegion replaces r with a smooth interpolation of block means (blocks
// of size block) that keeps only keptContrast of their contrast to a muted
// base colour, plus a fine grain.
func blurRegion(img *image.NRGBA, r image.Rectangle, block int, rng *rand.Rand) {
	cols := (r.Dx() + block - 1) / block
	rows := (r.Dy() + block - 1) / block
	sums := make([][3]int, cols*rows)
	counts := make([]int, cols*rows)
	var total [3]int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		cells := sums[(y-r.Min.Y)/block*cols:]
		counted := counts[(y-r.Min.Y)/block*cols:]
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for x := 0; x < len(row)/4; x++ {
			cell := &cells[x/block]
			p := row[4*x : 4*x+3 : 4*x+3]
			cell[0] += int(p[0])
			cell[1] += int(p[1])
			cell[2] += int(p[2])
			counted[x/block]++
		}
	}
	for _, cell := range sums {
		for c := range 3 {
			total[c] += cell[c]
		}
	}
	// The base colour is the region's mean moved halfway to mid grey, so
	// the head does not stand out as a dark or skin-coloured blob either.
	var base [3]float32
	for c := range 3 {
		base[c] = 0.5*float32(total[c])/float32(r.Dx()*r.Dy()) + 0.5*128
	}
	means := make([][3]float32, cols*rows)
	for cell := range means {
		for c := range 3 {
			mean := float32(sums[cell][c]) / float32(counts[cell])
			means[cell][c] = keptContrast*mean + (1-keptContrast)*base[c]
		}
	}
	// Bilinear between block centres: each column's two neighbouring
	// block columns and its weight, computed once for the region.
	left, right, wx := blockNeighbours(r.Dx(), block, cols)
	top, bottom, wy := blockNeighbours(r.Dy(), block, rows)
	grain := newGrain(rng)
	for y := range r.Dy() {
		above, below, ty := means[top[y]*cols:], means[bottom[y]*cols:], wy[y]
		row := img.Pix[img.PixOffset(r.Min.X, r.Min.Y+y):img.PixOffset(r.Max.X, r.Min.Y+y)]
		for x := 0; x < len(row)/4; x++ {
			p00, p10, p01, p11 := &above[left[x]], &above[right[x]], &below[left[x]], &below[right[x]]
			tx := wx[x]
			p := row[4*x : 4*x+4 : 4*x+4]
			for c := range 3 {
				upper := p00[c] + (p10[c]-p00[c])*tx
				lower := p01[c] + (p11[c]-p01[c])*tx
				v := upper + (lower-upper)*ty + grain.next()
				p[c] = uint8(min(255, max(0, v+0.5)))
			}
			p[3] = 0xFF
		}
	}
}

// blockNeighbours returns, for each of n pixels along an axis cut into
// blocks of size block (count of them), the blocks whose centres lie on
// either side of it and the weight of the second.
func blockNeighbours(n, block, count int) (first, second []int, weight []float32) {
	first, second, weight = make([]int, n), make([]int, n), make([]float32, n)
	for i := range n {
		f := (float32(i)+0.5)/float32(block) - 0.5
		c := int(f+1) - 1 // floor for f >= -0.5
		first[i] = min(max(c, 0), count-1)
		second[i] = min(max(c+1, 0), count-1)
		weight[i] = f - float32(c)
	}
	return first, second, weight
}

// grain is a fine noise (standard deviation 2 levels), new on
// every export, so that no two exports of a photo agree pixel for pixel.
// Stronger grain (sigma 12) gave the smooth blocks a texture in which the
// face detector found a face again (scores up to 0.18 on the children's
// crops); at 2 it finds nothing, even at 0.05. Each value is the sum of
// four random bytes (near enough to normal for a grain), so one 64-bit
// draw gives two values: drawing a normal deviate per channel took a
// third of the redaction's time.
type grain struct {
	rng  *rand.Rand
	bits uint64
	left int
}

// grainScale turns a sum of four random bytes, whose standard deviation
// is 147.8 (the square root of 4 x (256^2-1)/12), into a grain of
// standard deviation 2 levels.
const grainScale = 2 / 147.8

func newGrain(rng *rand.Rand) *grain { return &grain{rng: rng} }

func (g *grain) next() float32 {
	if g.left == 0 {
		g.bits, g.left = g.rng.Uint64(), 2
	}
	b := g.bits
	g.bits >>= 32
	g.left--
	sum := int(b&0xFF) + int(b>>8&0xFF) + int(b>>16&0xFF) + int(b>>24&0xFF)
	return float32(sum-510) * grainScale
}
