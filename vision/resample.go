package vision

// #cgo CFLAGS: -O3
// #include "resample.h"
import "C"

import (
	"image"
	"math"
	"unsafe"
)

// resample returns img (opaque) resized to w x h with a triangle filter,
// widened when shrinking so that every input pixel counts: what
// imaging.Resize does with imaging.Linear, with fixed-point weights, on
// one thread and without alpha. Every scan of the detector starts with
// it, and imaging's took a third of the detection time of a 12 MP photo.
func resample(img *image.NRGBA, w, h int) *image.NRGBA {
	sw, sh := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	horizontal, vertical := resampleAxis(w, sw), resampleAxis(h, sh)
	tmp := make([]uint8, 4*w*sh)
	acc := make([]int32, 4*w)
	C.pv_resample((*C.uint8_t)(unsafe.Pointer(&img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y)])),
		C.int(sh), C.int(img.Stride),
		(*C.uint8_t)(unsafe.Pointer(&out.Pix[0])), C.int(w), C.int(h), C.int(out.Stride),
		(*C.int32_t)(unsafe.Pointer(&horizontal[0])), (*C.int32_t)(unsafe.Pointer(&vertical[0])),
		(*C.uint8_t)(unsafe.Pointer(&tmp[0])), (*C.int32_t)(unsafe.Pointer(&acc[0])))
	return out
}

// resampleAxis computes the weights of one axis from src to dst pixels,
// laid out as pv_resample reads them: the first input, the count and the
// offset of each output's weights, then the weights, which sum to exactly
// 1 << pv_resample_weight_bits per output.
func resampleAxis(dst, src int) []int32 {
	const one = 1 << C.pv_resample_weight_bits
	ratio := float64(src) / float64(dst)
	support := math.Max(ratio, 1) // the triangle's half-width, in input pixels
	out := make([]int32, 3*dst, 3*dst+dst*(2*int(math.Ceil(support))+1))
	var raw []float64
	for i := range dst {
		center := (float64(i)+0.5)*ratio - 0.5
		first := max(0, int(math.Ceil(center-support)))
		last := min(src-1, int(math.Floor(center+support)))
		raw = raw[:0]
		var sum float64
		for u := first; u <= last; u++ {
			w := max(0, 1-math.Abs(float64(u)-center)/support)
			raw = append(raw, w)
			sum += w
		}
		if sum == 0 { // no input within reach: take the nearest
			first, raw, sum = min(src-1, max(0, int(math.Round(center)))), append(raw[:0], 1), 1
		}
		base := len(out)
		out[i], out[dst+i], out[2*dst+i] = int32(first), int32(len(raw)), int32(base-3*dst)
		total, largest := int32(0), base
		for _, w := range raw {
			fixed := int32(math.Round(w / sum * one))
			if len(out) == base || fixed > out[largest] {
				largest = len(out)
			}
			out = append(out, fixed)
			total += fixed
		}
		out[largest] += one - total // rounding: the weights must sum to one exactly
	}
	return out
}

// Fit returns img (opaque) scaled down to fit a side x side square, its
// aspect kept, with the filter the detector's scans use; an image that
// fits already is returned as it is. It sizes the result as imaging.Fit
// does, at a fraction of its cost (see resample).
func Fit(img *image.NRGBA, side int) *image.NRGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		return resample(img, side, max(1, int(float64(side)*float64(h)/float64(w))))
	}
	return resample(img, max(1, int(float64(side)*float64(w)/float64(h))), side)
}
