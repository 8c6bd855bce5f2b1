// C interface to the dlib face engine in facedlib.cc, for cgo.
#ifndef PHOTOVET_FACEDLIB_H
#define PHOTOVET_FACEDLIB_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_engine pv_engine;

typedef struct {
	long left, top, right, bottom;
	double score;
} pv_detection;

enum { PV_HOG = 0, PV_CNN = 1 };

// pv_engine_new loads the three model files from model_dir. On failure it
// returns NULL and sets *err to a malloc'd message.
pv_engine* pv_engine_new(const char* model_dir, char** err);
void pv_engine_free(pv_engine* e);

// Images are RGBA buffers: 4 bytes a pixel (alpha ignored), stride bytes a
// row.

// pv_detect runs one detector on an image resized by
// scale (bilinear; 1 = as is). Boxes are returned in the coordinates of the
// given image. adjust lowers (negative) or raises the detector's threshold.
// *out is malloc'd; the return value is the number of detections or -1 on
// error (*err set).
int pv_detect(pv_engine* e, const uint8_t* rgba, int w, int h, int stride, double scale,
              int detector, double adjust, pv_detection** out, char** err);

// pv_describe computes the 5-point shape (10 longs: x,y pairs) and the 128-d
// descriptor of the face in rect (left, top, right, bottom, inclusive) of
// the image, averaged over jitters jittered copies of the face chip when
// jitters > 1. Returns 0, or -1 on error (*err set).
int pv_describe(pv_engine* e, const uint8_t* rgba, int w, int h, int stride,
                long left, long top, long right, long bottom, int jitters,
                float* descriptor, long* points, char** err);

#ifdef __cplusplus
}
#endif

#endif
