// C interface to the dlib face engine in facedlib.cc, for cgo.
#ifndef PHOTOVET_FACEDLIB_H
#define PHOTOVET_FACEDLIB_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_engine pv_engine;

// pv_engine_new loads the two model files from model_dir. On failure it
// returns NULL and sets *err to a malloc'd message.
pv_engine* pv_engine_new(const char* model_dir, char** err);
void pv_engine_free(pv_engine* e);

// Images are RGBA buffers: 4 bytes a pixel (alpha ignored), stride bytes a
// row.

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
