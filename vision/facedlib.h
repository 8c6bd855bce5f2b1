// C interface to the dlib face engine in facedlib.cc, for cgo.
#ifndef PHOTOVET_FACEDLIB_H
#define PHOTOVET_FACEDLIB_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_engine pv_engine;

// pv_engine_new loads the shape predictor from model_dir. On failure it
// returns NULL and sets *err to a malloc'd message.
pv_engine* pv_engine_new(const char* model_dir, char** err);
void pv_engine_free(pv_engine* e);

// Images are RGBA buffers: 4 bytes a pixel (alpha ignored), stride bytes a
// row.

// PV_CHIP_SIZE is the side of the face chips dlib's descriptor network
// reads.
#define PV_CHIP_SIZE 150

// pv_chips finds, for each of n faces, the 5-point shape (10 longs: x,y
// pairs) and cuts out the face chip the descriptor network reads: the face
// aligned and scaled to PV_CHIP_SIZE square, RGB, 3 bytes a pixel.
// Face f is looked for in the crop crops[4f..4f+3] of the image (left,
// top, width, height) at the rectangle rects[4f..4f+3] (left, top, right,
// bottom, inclusive, in the crop's coordinates); its shape lands in
// points[10f...] in the crop's coordinates, its chip at
// chips[f * 3 * PV_CHIP_SIZE^2]. Returns 0, or -1 on error
// (*err set).
int pv_chips(pv_engine* e, const uint8_t* rgba, int stride, int n, const long* crops,
             const long* rects, uint8_t* chips, long* points, char** err);

// The kinds of layer pv_descriptor_layers lists, and their fields:
enum {
	PV_LAYER_INPUT = 1,  // none; weights: the mean red, green and blue
	PV_LAYER_CON,        // filters, rows, columns, stride y, x, padding y, x, bias (0 or 1)
	PV_LAYER_AFFINE,     // none; weights: per channel, all gammas, then all betas
	PV_LAYER_RELU,       // none
	PV_LAYER_MAX_POOL,   // rows, columns, stride y, x, padding y, x (rows 0: whole plane)
	PV_LAYER_AVG_POOL,   // as PV_LAYER_MAX_POOL
	PV_LAYER_ADD_PREV,   // tag id
	PV_LAYER_FC,         // outputs, bias (0 or 1); weights: inputs x outputs, then biases
	PV_LAYER_TAG,        // tag id
	PV_LAYER_SKIP,       // tag id
};

// pv_descriptor_layers reads dlib's ResNet descriptor model at path and
// lists its layers from the output down to the input. For each layer *ops
// holds its kind, how many fields it has, the fields (above), and how many
// weights it has; *weights holds those weights (dlib's layout), layer after
// layer. Both arrays are malloc'd. Returns 0, or -1 on error (*err set).
int pv_descriptor_layers(const char* path, int** ops, long* n_ops, float** weights, long* n_weights,
                         char** err);

#ifdef __cplusplus
}
#endif

#endif
