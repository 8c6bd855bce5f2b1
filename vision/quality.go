package vision

import (
	"image"
	"math"

	"github.com/disintegration/imaging"
)

// FaceQuality is what makes a face a good or a poor reference: how large,
// how turned away and how sharp it is. MeasureFace computes it; the
// enrolment decides what is good enough.
type FaceQuality struct {
	// Height is the face box's height in pixels (forehead to chin).
	Height int
	// Turn is how far the nose lies from the point midway between the
	// eyes, along the line through the eyes, in eye distances: about 0
	// for a face looking into the camera, growing as the head turns (the
	// nose moves towards the far eye). +Inf when the eyes' landmarks
	// coincide, which no measurable face gives.
	Turn float64
	// Sharpness is the variance of the Laplacian of the face, seen in
	// grey at sharpnessSide pixels square, over the variance of its grey
	// values: independent of the face's size in the photo and of its
	// contrast and brightness, it drops as the face is out of focus or
	// moved.
	Sharpness float64
}

// What a face must be to serve as a reference (an enrolled portrait),
// measured on the shared test data by TestReferenceQualityBounds, which
// prints the figures:
//   - MinReferenceHeight: the face box at least this high, in pixels. The
//     largest face of every recognition photo and children's crop is 117
//     px high or more.
//   - MaxReferenceTurn: FaceQuality.Turn at most this. On the AFW photos,
//     every face turned less than 15 degrees (59 of 59) and 56 of 60
//     turned 15 to 30 measure under it; 47 of the 64 turned 45 degrees or
//     more measure above it (dlib's landmarks fail on the others).
//   - MinReferenceSharpness: FaceQuality.Sharpness at least this. Sharp
//     faces measure 0.021 to 0.59 (children's crops, recognition photos);
//     blurred by a Gaussian of 2% of the face's height, which moves the
//     descriptor by 0.32 on average (two thirds of the match threshold),
//     0.003 to 0.021.
const (
	MinReferenceHeight    = 100
	MaxReferenceTurn      = 0.2
	MinReferenceSharpness = 0.02
)

// sharpnessSide is the size at which MeasureFace looks at a face's
// sharpness: every face of a usable size is scaled down to it, so that
// blur is measured against the face, not the photo.
const sharpnessSide = 80

// MeasureFace measures face f, found in img, for use as a reference.
func MeasureFace(img *image.NRGBA, f Face) FaceQuality {
	return FaceQuality{Height: f.Box.Dy(), Turn: turn(f.Landmarks), Sharpness: sharpness(img, dlibBox(f.Box))}
}

// turn estimates how far a face is turned from dlib's five landmarks (two
// corners of each eye, the base of the nose): see FaceQuality.Turn.
func turn(marks [5]image.Point) float64 {
	mean := func(a, b image.Point) (float64, float64) {
		return float64(a.X+b.X) / 2, float64(a.Y+b.Y) / 2
	}
	ax, ay := mean(marks[0], marks[1])
	bx, by := mean(marks[2], marks[3])
	ex, ey := bx-ax, by-ay
	eyes := ex*ex + ey*ey
	if eyes < 1 {
		return math.Inf(1)
	}
	nx, ny := float64(marks[4].X)-(ax+bx)/2, float64(marks[4].Y)-(ay+by)/2
	return math.Abs(nx*ex+ny*ey) / eyes
}

// sharpness measures the sharpness of the square box of img: see
// FaceQuality.Sharpness. A box outside img, or of one flat grey, has
// sharpness 0.
func sharpness(img *image.NRGBA, box image.Rectangle) float64 {
	box = box.Intersect(img.Rect)
	if box.Dx() < 3 || box.Dy() < 3 {
		return 0
	}
	face := imaging.Resize(imaging.Grayscale(img.SubImage(box)), sharpnessSide, sharpnessSide, imaging.Linear)
	gray := func(x, y int) float64 { return float64(face.Pix[face.PixOffset(x, y)]) }
	var sum, sumSq float64
	for y := range sharpnessSide {
		for x := range sharpnessSide {
			v := gray(x, y)
			sum += v
			sumSq += v * v
		}
	}
	n := float64(sharpnessSide * sharpnessSide)
	variance := sumSq/n - (sum/n)*(sum/n)
	if variance < 1e-9 {
		return 0
	}
	var lsum, lsumSq float64
	for y := 1; y < sharpnessSide-1; y++ {
		for x := 1; x < sharpnessSide-1; x++ {
			l := gray(x-1, y) + gray(x+1, y) + gray(x, y-1) + gray(x, y+1) - 4*gray(x, y)
			lsum += l
			lsumSq += l * l
		}
	}
	m := float64((sharpnessSide - 2) * (sharpnessSide - 2))
	return (lsumSq/m - (lsum/m)*(lsum/m)) / variance
}
