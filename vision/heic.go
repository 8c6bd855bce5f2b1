package vision

// #cgo pkg-config: libheif
// #include <stdlib.h>
// #include <libheif/heif.h>
import "C"

import (
	"errors"
	"fmt"
	"image"
	"runtime"
	"unsafe"
)

// decodeHEIC decodes the primary image of a HEIF/HEIC file with libheif
// (its C API: the Go binding cannot set libheif's limits). What the decode
// will allocate is bounded from the file's boxes first (planHEIF), so a
// grid whose ispe box understates it never reaches libheif; libheif's own
// size limit is set to maxSide as well. libheif applies the file's own
// rotation and mirroring (irot/imir) while decoding, which take precedence
// over any EXIF orientation in HEIF, so no EXIF turn is applied on top.
func decodeHEIC(data []byte) (*Photo, error) {
	plan, err := planHEIF(data)
	if err != nil {
		return nil, err
	}
	if err := checkSize(int(plan.width), int(plan.height)); err != nil {
		return nil, err
	}
	pix, err := decodeHEIFPrimary(data)
	if err != nil {
		return nil, err
	}
	pix = flatten(pix)
	return &Photo{
		Image:    pix,
		Width:    pix.Rect.Dx(),
		Height:   pix.Rect.Dy(),
		Format:   "heic",
		Metadata: readHEICMetadata(data),
	}, nil
}

// decodeHEIFPrimary decodes the primary image of data, which planHEIF has
// checked, to 8-bit RGBA.
func decodeHEIFPrimary(data []byte) (*image.NRGBA, error) {
	// libheif reads the file in place, so the bytes stay pinned until the
	// context is freed.
	var pinner runtime.Pinner
	pinner.Pin(&data[0])
	defer pinner.Unpin()
	ctx := C.heif_context_alloc()
	if ctx == nil {
		return nil, errors.New("heic: libheif could not allocate a context")
	}
	defer C.heif_context_free(ctx)
	C.heif_context_set_maximum_image_size_limit(ctx, maxSide)
	if err := heifErr("read", C.heif_context_read_from_memory_without_copy(ctx, unsafe.Pointer(&data[0]), C.size_t(len(data)), nil)); err != nil {
		return nil, err
	}
	var handle *C.struct_heif_image_handle
	if err := heifErr("primary image", C.heif_context_get_primary_image_handle(ctx, &handle)); err != nil {
		return nil, err
	}
	defer C.heif_image_handle_release(handle)
	if err := checkSize(int(C.heif_image_handle_get_width(handle)), int(C.heif_image_handle_get_height(handle))); err != nil {
		return nil, err
	}
	options := C.heif_decoding_options_alloc()
	if options == nil {
		return nil, errors.New("heic: libheif could not allocate decoding options")
	}
	defer C.heif_decoding_options_free(options)
	options.convert_hdr_to_8bit = 1
	var img *C.struct_heif_image
	if err := heifErr("decode", C.heif_decode_image(handle, &img, C.heif_colorspace_RGB, C.heif_chroma_interleaved_RGBA, options)); err != nil {
		return nil, err
	}
	defer C.heif_image_release(img)
	w := int(C.heif_image_get_width(img, C.heif_channel_interleaved))
	h := int(C.heif_image_get_height(img, C.heif_channel_interleaved))
	if err := checkSize(w, h); err != nil {
		return nil, err
	}
	var stride C.int
	plane := C.heif_image_get_plane_readonly(img, C.heif_channel_interleaved, &stride)
	if plane == nil || int(stride) < w*4 {
		return nil, fmt.Errorf("%w: heic: no RGBA plane", ErrCorrupt)
	}
	src := unsafe.Slice((*byte)(unsafe.Pointer(plane)), int(stride)*h)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		copy(out.Pix[y*out.Stride:y*out.Stride+w*4], src[y*int(stride):])
	}
	return out, nil
}

// heifErr turns a libheif error into a Go error: ErrTooLarge when one of
// libheif's security limits refused the file, else ErrCorrupt.
func heifErr(step string, err C.struct_heif_error) error {
	if err.code == C.heif_error_Ok {
		return nil
	}
	kind := ErrCorrupt
	if err.subcode == C.heif_suberror_Security_limit_exceeded {
		kind = ErrTooLarge
	}
	return fmt.Errorf("%w: heic %s: %s", kind, step, C.GoString(err.message))
}
