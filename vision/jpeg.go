package vision

// #cgo CFLAGS: -O2
// #cgo LDFLAGS: -ljpeg
// #include <stdlib.h>
// #include "jpegcodec.h"
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// JPEG decoding and encoding go through libjpeg-turbo: on a 12 MP photo
// it decodes about three times and encodes about five times as fast as the
// standard library, and those two steps were most of a photo's time once
// detection got quick.
const (
	// jpegMaxScans bounds the scans of a progressive JPEG: each is a pass
	// over the whole image, and a crafted file can hold thousands.
	jpegMaxScans = 500
	// jpegMaxMemory bounds libjpeg's working memory (a progressive
	// photo's coefficients take about 3 bytes a pixel).
	jpegMaxMemory = 1 << 30
	jpegErrLen    = 200
)

// errJPEGCMYK reports a CMYK or YCCK JPEG, which libjpeg cannot turn into
// RGB; the standard library's decoder does.
var errJPEGCMYK = errors.New("CMYK JPEG")

func cError(buf []C.char) string {
	return C.GoString(&buf[0])
}

// jpegSize reads the size a JPEG declares.
func jpegSize(data []byte) (int, int, error) {
	if len(data) == 0 {
		return 0, 0, fmt.Errorf("%w: empty file", ErrCorrupt)
	}
	var w, h C.int
	msg := make([]C.char, jpegErrLen)
	switch C.pv_jpeg_info((*C.uint8_t)(unsafe.Pointer(&data[0])), C.size_t(len(data)), &w, &h, &msg[0], C.size_t(len(msg))) {
	case C.PV_JPEG_OK:
		return int(w), int(h), nil
	case C.PV_JPEG_CMYK:
		return int(w), int(h), errJPEGCMYK
	}
	return 0, 0, fmt.Errorf("%w: %s", ErrCorrupt, cError(msg))
}

// decodeJPEG decodes a JPEG whose size was checked by the caller into an
// opaque NRGBA image.
func decodeJPEG(data []byte, w, h int) (*image.NRGBA, error) {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	msg := make([]C.char, jpegErrLen)
	rc := C.pv_jpeg_decode((*C.uint8_t)(unsafe.Pointer(&data[0])), C.size_t(len(data)),
		(*C.uint8_t)(unsafe.Pointer(&img.Pix[0])), C.int(w), C.int(h), C.int(img.Stride),
		jpegMaxScans, jpegMaxMemory, &msg[0], C.size_t(len(msg)))
	if rc != C.PV_JPEG_OK {
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, cError(msg))
	}
	return img, nil
}

// EncodeJPEG encodes img (alpha ignored) at quality (1-100) as a baseline
// JPEG holding only the image segments, with libjpeg-turbo: several times
// quicker than image/jpeg, which reads an NRGBA image pixel by pixel
// through an interface and allocates for each.
func EncodeJPEG(img *image.NRGBA, quality int) ([]byte, error) {
	if img.Rect.Empty() {
		return nil, errors.New("encode jpeg: empty image")
	}
	var out *C.uchar
	var size C.ulong
	msg := make([]C.char, jpegErrLen)
	rc := C.pv_jpeg_encode((*C.uint8_t)(unsafe.Pointer(&img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y)])),
		C.int(img.Rect.Dx()), C.int(img.Rect.Dy()), C.int(img.Stride), C.int(quality), &out, &size, &msg[0], C.size_t(len(msg)))
	if rc != C.PV_JPEG_OK {
		return nil, fmt.Errorf("encode jpeg: %s", cError(msg))
	}
	defer C.free(unsafe.Pointer(out))
	return bytes.Clone(unsafe.Slice((*byte)(unsafe.Pointer(out)), int(size))), nil
}
