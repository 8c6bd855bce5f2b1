package vision

// #cgo CXXFLAGS: -std=c++17 -O3 -DNDEBUG -DDLIB_NO_GUI_SUPPORT -mavx
// #cgo pkg-config: dlib-1
// #include <stdlib.h>
// #include "facedlib.h"
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// dlibEngine owns one set of dlib models (5-point shape predictor, ResNet
// descriptor). It is not safe for concurrent use:
// the networks keep per-call state, so each worker gets its own.
type dlibEngine struct {
	ptr *C.pv_engine
}

// rawDetection is one detector hit in the coordinates of the image given:
// the face's box and the detector's five landmarks (eye centres, nose tip,
// mouth corners).
type rawDetection struct {
	Box       image.Rectangle
	Score     float64
	Landmarks [5]image.Point
}

func newDlibEngine(modelDir string) (*dlibEngine, error) {
	dir := C.CString(modelDir)
	defer C.free(unsafe.Pointer(dir))
	var cerr *C.char
	ptr := C.pv_engine_new(dir, &cerr)
	if ptr == nil {
		return nil, fmt.Errorf("load face models from %s: %w", modelDir, takeError(cerr))
	}
	return &dlibEngine{ptr: ptr}, nil
}

func (e *dlibEngine) close() {
	if e.ptr != nil {
		C.pv_engine_free(e.ptr)
		e.ptr = nil
	}
}

func takeError(cerr *C.char) error {
	if cerr == nil {
		return errors.New("dlib: unknown error")
	}
	defer C.free(unsafe.Pointer(cerr))
	return errors.New("dlib: " + C.GoString(cerr))
}

// pixels returns the address of img's pixel at r.Min, for a C call that
// reads r.Dx() x r.Dy() pixels with img's stride.
func pixels(img *image.NRGBA, r image.Rectangle) *C.uint8_t {
	return (*C.uint8_t)(unsafe.Pointer(&img.Pix[img.PixOffset(r.Min.X, r.Min.Y)]))
}

// describe computes the descriptor (averaged over jitters jittered copies
// when jitters > 1) and the 5 landmarks of the face in box.
// It hands dlib only a crop around the box: the shape predictor and the
// face chip never look further than about one face width outside it.
func (e *dlibEngine) describe(img *image.NRGBA, box image.Rectangle, jitters int) (Descriptor, [5]image.Point, error) {
	var desc Descriptor
	var marks [5]image.Point
	margin := max(box.Dx(), box.Dy())
	crop := box.Inset(-margin).Intersect(img.Rect)
	if crop.Empty() {
		return desc, marks, fmt.Errorf("describe face: box %v outside the photo", box)
	}
	local := box.Sub(crop.Min)
	var points [10]C.long
	var cerr *C.char
	rc := C.pv_describe(e.ptr, pixels(img, crop), C.int(crop.Dx()), C.int(crop.Dy()), C.int(img.Stride),
		C.long(local.Min.X), C.long(local.Min.Y), C.long(local.Max.X-1), C.long(local.Max.Y-1), C.int(jitters),
		(*C.float)(unsafe.Pointer(&desc[0])), &points[0], &cerr)
	if rc != 0 {
		return desc, marks, fmt.Errorf("describe face: %w", takeError(cerr))
	}
	for i := range marks {
		marks[i] = image.Pt(int(points[2*i]), int(points[2*i+1])).Add(crop.Min)
	}
	return desc, marks, nil
}
