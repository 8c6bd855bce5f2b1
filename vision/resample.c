#include "resample.h"

static inline uint8_t clamp_round(int32_t v) {
	v = (v + (1 << (pv_resample_weight_bits - 1))) >> pv_resample_weight_bits;
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

void pv_resample(const uint8_t* src, int sh, int sstride,
                 uint8_t* dst, int dw, int dh, int dstride,
                 const int32_t* horizontal, const int32_t* vertical,
                 uint8_t* tmp, int32_t* acc) {
	const int32_t *hfirst = horizontal, *hcount = horizontal + dw, *hoffset = horizontal + 2 * dw,
	              *hweights = horizontal + 3 * dw;
	const int32_t *vfirst = vertical, *vcount = vertical + dh, *voffset = vertical + 2 * dh,
	              *vweights = vertical + 3 * dh;
	// Horizontal: every input row to dw pixels.
	for (int y = 0; y < sh; y++) {
		const uint8_t* row = src + (long)y * sstride;
		uint8_t* out = tmp + (long)y * dw * 4;
		for (int x = 0; x < dw; x++) {
			const uint8_t* p = row + 4 * hfirst[x];
			const int32_t* w = hweights + hoffset[x];
			int32_t r = 0, g = 0, b = 0;
			for (int k = 0; k < hcount[x]; k++, p += 4) {
				r += w[k] * p[0];
				g += w[k] * p[1];
				b += w[k] * p[2];
			}
			out[4 * x] = clamp_round(r);
			out[4 * x + 1] = clamp_round(g);
			out[4 * x + 2] = clamp_round(b);
			out[4 * x + 3] = 255;
		}
	}
	// Vertical: weighted sums of whole rows, which vectorises.
	int n = 4 * dw;
	for (int y = 0; y < dh; y++) {
		const int32_t* w = vweights + voffset[y];
		for (int i = 0; i < n; i++) acc[i] = 0;
		for (int k = 0; k < vcount[y]; k++) {
			const uint8_t* row = tmp + (long)(vfirst[y] + k) * n;
			int32_t wk = w[k];
			for (int i = 0; i < n; i++) acc[i] += wk * row[i];
		}
		uint8_t* out = dst + (long)y * dstride;
		for (int i = 0; i < n; i++) out[i] = clamp_round(acc[i]);
	}
}
