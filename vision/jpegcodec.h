// C interface to libjpeg-turbo for cgo (jpegcodec.c): JPEG decoding into
// and encoding from RGBA buffers, with every error returned, never exited.
#ifndef PHOTOVET_JPEGCODEC_H
#define PHOTOVET_JPEGCODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Results of pv_jpeg_info and pv_jpeg_decode.
enum { PV_JPEG_OK = 0, PV_JPEG_ERROR = -1, PV_JPEG_CMYK = -2 };

// pv_jpeg_info reads the header: the size and whether the colour space is
// CMYK or YCCK, which libjpeg cannot turn into RGB (PV_JPEG_CMYK).
// err receives a message of at most errlen bytes on PV_JPEG_ERROR.
int pv_jpeg_info(const uint8_t* data, size_t size, int* width, int* height, char* err, size_t errlen);

// pv_jpeg_decode decodes into dst (RGBA, stride bytes a row), which must
// hold the width x height the header gives. A warning about corrupt data
// (a truncated file, say) is an error, as are more than max_scans
// progressive scans and more than max_memory bytes of working memory.
int pv_jpeg_decode(const uint8_t* data, size_t size, uint8_t* dst, int width, int height, int stride,
                   int max_scans, long max_memory, char* err, size_t errlen);

// pv_jpeg_encode writes a baseline JPEG of an RGBA buffer (alpha ignored)
// into *out (malloc'd, *outsize bytes): only the image's own segments, no
// JFIF, Adobe or other marker.
int pv_jpeg_encode(const uint8_t* rgba, int width, int height, int stride, int quality,
                   unsigned char** out, unsigned long* outsize, char* err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
