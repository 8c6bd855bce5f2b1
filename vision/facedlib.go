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
	"slices"
	"unsafe"
)

// dlibEngine owns dlib's 5-point shape predictor, which also cuts out the
// face chips the descriptor network reads. Each worker gets its own.
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

// chipSide is the side of the face chips the descriptor network reads,
// and chipBytes the size of one chip (RGB).
const (
	chipSide  = C.PV_CHIP_SIZE
	chipBytes = 3 * chipSide * chipSide
)

// chips finds the 5 landmarks of the faces in boxes and cuts out each
// face's chip for the descriptor network. It hands dlib only a crop
// around each box: the
// shape predictor and the face chip never look further than about one
// face width outside it.
func (e *dlibEngine) chips(img *image.NRGBA, boxes []image.Rectangle) ([]byte, [][5]image.Point, error) {
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
	chips := make([]byte, n*chipBytes)
	points := make([]C.long, 10*n)
	var cerr *C.char
	rc := C.pv_chips(e.ptr, pixels(img, img.Rect), C.int(img.Stride), C.int(n), &crops[0], &rects[0],
		(*C.uint8_t)(unsafe.Pointer(&chips[0])), &points[0], &cerr)
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
	return chips, marks, nil
}

// dlibLayer is one layer of dlib's descriptor network: its kind (one of
// facedlib.h's PV_LAYER_ values), its fields and its weights.
type dlibLayer struct {
	kind    int
	fields  []int
	weights []float32
}

// The layer kinds, as facedlib.h numbers them.
const (
	layerInput   = C.PV_LAYER_INPUT
	layerCon     = C.PV_LAYER_CON
	layerAffine  = C.PV_LAYER_AFFINE
	layerRelu    = C.PV_LAYER_RELU
	layerMaxPool = C.PV_LAYER_MAX_POOL
	layerAvgPool = C.PV_LAYER_AVG_POOL
	layerAddPrev = C.PV_LAYER_ADD_PREV
	layerFC      = C.PV_LAYER_FC
	layerTag     = C.PV_LAYER_TAG
	layerSkip    = C.PV_LAYER_SKIP
)

// descriptorLayers reads dlib's descriptor model file (already verified)
// and returns its layers from the input up.
func descriptorLayers(path string) ([]dlibLayer, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var ops *C.int
	var weights *C.float
	var nOps, nWeights C.long
	var cerr *C.char
	if C.pv_descriptor_layers(cpath, &ops, &nOps, &weights, &nWeights, &cerr) != 0 {
		return nil, fmt.Errorf("read %s: %w", path, takeError(cerr))
	}
	defer C.free(unsafe.Pointer(ops))
	defer C.free(unsafe.Pointer(weights))
	o := unsafe.Slice((*int32)(unsafe.Pointer(ops)), int(nOps))
	// The weights outlive the C arrays, freed on return.
	w := slices.Clone(unsafe.Slice((*float32)(unsafe.Pointer(weights)), int(nWeights)))
	var layers []dlibLayer
	for len(o) >= 2 {
		l, fields := dlibLayer{kind: int(o[0])}, int(o[1])
		if fields < 0 || len(o) < 3+fields {
			return nil, fmt.Errorf("read %s: layer %d cut short", path, l.kind)
		}
		for _, f := range o[2 : 2+fields] {
			l.fields = append(l.fields, int(f))
		}
		count := int(o[2+fields])
		o = o[3+fields:]
		if count < 0 || count > len(w) {
			return nil, fmt.Errorf("read %s: layer %d wants %d weights, %d left", path, l.kind, count, len(w))
		}
		l.weights, w = w[:count:count], w[count:]
		layers = append(layers, l)
	}
	if len(o) != 0 || len(w) != 0 {
		return nil, fmt.Errorf("read %s: %d ints and %d weights left over", path, len(o), len(w))
	}
	slices.Reverse(layers)
	return layers, nil
}
