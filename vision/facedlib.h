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

// pv_describe computes, for each of n faces, the 5-point shape (10 longs:
// x,y pairs) and the 128-d descriptor, averaged over jitters jittered
// copies of the face chip when jitters > 1. Face f is looked for in the
// crop crops[4f..4f+3] of the image (left, top, width, height) at the
// rectangle rects[4f..4f+3] (left, top, right, bottom, inclusive, in the
// crop's coordinates); its shape lands in points[10f...] in the crop's
// coordinates, its descriptor in descriptors[128f...]. The faces' chips go
// through the network together, which costs less per face than one at a
// time. Returns 0, or -1 on error (*err set).
int pv_describe(pv_engine* e, const uint8_t* rgba, int stride, int n, const long* crops,
                const long* rects, int jitters, float* descriptors, long* points, char** err);

#ifdef __cplusplus
}
#endif

#endif
