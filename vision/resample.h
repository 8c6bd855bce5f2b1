// C side of resample.go: a separable resampling of RGBA pixels with
// precomputed fixed-point weights, written so the compiler vectorises the
// vertical pass.
#ifndef PHOTOVET_RESAMPLE_H
#define PHOTOVET_RESAMPLE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// pv_resample_weight_bits is the fixed-point precision of the weights: the
// weights of one output pixel sum to 1 << pv_resample_weight_bits.
enum { pv_resample_weight_bits = 14 };

// pv_resample resizes src (sh rows of RGBA, sstride bytes a row, as wide
// as the horizontal weights read; alpha ignored) into dst (dw x dh,
// dstride bytes a row; alpha 255). Each axis (horizontal for dw outputs,
// vertical for dh) is laid out as n first inputs, n counts, n offsets,
// then the weights: output i takes count[i] inputs from first[i] on,
// weighted by weights[offset[i]...]. tmp holds dw x sh RGBA pixels; acc
// holds 4 x dw int32.
void pv_resample(const uint8_t* src, int sh, int sstride,
                 uint8_t* dst, int dw, int dh, int dstride,
                 const int32_t* horizontal, const int32_t* vertical,
                 uint8_t* tmp, int32_t* acc);

#ifdef __cplusplus
}
#endif

#endif
