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

// describe computes the descriptors (each averaged over jitters jittered
// copies when jitters > 1) and the 5 landmarks of the faces in boxes.
// It hands dlib only a crop around each box: the shape predictor and the
// face chip never look further than about one face width outside it.
// The faces go through the network together (see describeBatch).
func (e *dlibEngine) describe(img *image.NRGBA, boxes []image.Rectangle, jitters int) ([]Descriptor, [][5]image.Point, error) {
	jitters = max(1, jitters)
	n := len(boxes)
	if n == 0 {
		return nil, nil, nil
	}
	crops := make([]C.long, 4*n)
	rects := make([]C.long, 4*n)
	for i, box := range boxes {
		margin := max(box.Dx(), box.Dy())
		crop := box.Inset(-margin).Intersect(img.Rect)
		if crop.Empty() {
			return nil, nil, fmt.Errorf("describe face: box %v outside the photo", box)
		}
		local := box.Sub(crop.Min)
		at := crop.Min.Sub(img.Rect.Min)
		copy(crops[4*i:], []C.long{C.long(at.X), C.long(at.Y), C.long(crop.Dx()), C.long(crop.Dy())})
		copy(rects[4*i:], []C.long{C.long(local.Min.X), C.long(local.Min.Y), C.long(local.Max.X - 1), C.long(local.Max.Y - 1)})
	}
	descs := make([]Descriptor, n)
	points := make([]C.long, 10*n)
	var cerr *C.char
	rc := C.pv_describe(e.ptr, pixels(img, img.Rect), C.int(img.Stride), C.int(n), &crops[0], &rects[0], C.int(jitters),
		(*C.float)(unsafe.Pointer(&descs[0][0])), &points[0], &cerr)
	if rc != 0 {
		return nil, nil, fmt.Errorf("describe face: %w", takeError(cerr))
	}
	marks := make([][5]image.Point, n)
	for i := range marks {
		origin := image.Pt(int(crops[4*i]), int(crops[4*i+1])).Add(img.Rect.Min)
		for j := range marks[i] {
			marks[i][j] = image.Pt(int(points[10*i+2*j]), int(points[10*i+2*j+1])).Add(origin)
		}
	}
	return descs, marks, nil
}
