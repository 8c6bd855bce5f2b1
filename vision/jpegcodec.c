// libjpeg-turbo behind a small interface (jpegcodec.h). libjpeg reports
// errors by calling error_exit, which must not return: it jumps back here
// with longjmp, so no error ends the process.
#include "jpegcodec.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char* err;
	size_t errlen;
} error_mgr;

typedef struct {
	struct jpeg_progress_mgr pub;
	int max_scans;
} progress_mgr;

static void fail(j_common_ptr cinfo) {
	error_mgr* e = (error_mgr*)cinfo->err;
	char msg[JMSG_LENGTH_MAX];
	(*cinfo->err->format_message)(cinfo, msg);
	snprintf(e->err, e->errlen, "%s", msg);
	longjmp(e->jump, 1);
}

// A warning (level -1) means corrupt data that libjpeg would paper over
// with grey: fail closed instead. Trace messages (level >= 0) are ignored.
static void warn(j_common_ptr cinfo, int level) {
	if (level < 0) fail(cinfo);
}

// A progressive file may hold any number of scans, each a full pass over
// the image: bound them, as libjpeg-turbo's own TurboJPEG API does.
static void count_scans(j_common_ptr cinfo) {
	progress_mgr* p = (progress_mgr*)cinfo->progress;
	j_decompress_ptr d = (j_decompress_ptr)cinfo;
	if (d->progressive_mode && d->input_scan_number > p->max_scans) {
		error_mgr* e = (error_mgr*)cinfo->err;
		snprintf(e->err, e->errlen, "more than %d progressive scans", p->max_scans);
		longjmp(e->jump, 1);
	}
}

static void init_errors(error_mgr* e, char* err, size_t errlen) {
	jpeg_std_error(&e->pub);
	e->pub.error_exit = fail;
	e->pub.emit_message = warn;
	e->err = err;
	e->errlen = errlen;
}

int pv_jpeg_info(const uint8_t* data, size_t size, int* width, int* height, char* err, size_t errlen) {
	struct jpeg_decompress_struct cinfo;
	error_mgr e;
	init_errors(&e, err, errlen);
	cinfo.err = &e.pub;
	if (setjmp(e.jump)) {
		jpeg_destroy_decompress(&cinfo);
		return PV_JPEG_ERROR;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, data, size);
	jpeg_read_header(&cinfo, TRUE);
	*width = (int)cinfo.image_width;
	*height = (int)cinfo.image_height;
	int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
	jpeg_destroy_decompress(&cinfo);
	return cmyk ? PV_JPEG_CMYK : PV_JPEG_OK;
}

int pv_jpeg_decode(const uint8_t* data, size_t size, uint8_t* dst, int width, int height, int stride,
                   int max_scans, long max_memory, char* err, size_t errlen) {
	struct jpeg_decompress_struct cinfo;
	error_mgr e;
	progress_mgr progress;
	init_errors(&e, err, errlen);
	cinfo.err = &e.pub;
	if (setjmp(e.jump)) {
		jpeg_destroy_decompress(&cinfo);
		return PV_JPEG_ERROR;
	}
	jpeg_create_decompress(&cinfo);
	cinfo.mem->max_memory_to_use = max_memory;
	progress.pub.progress_monitor = count_scans;
	progress.max_scans = max_scans;
	cinfo.progress = &progress.pub;
	jpeg_mem_src(&cinfo, data, size);
	jpeg_read_header(&cinfo, TRUE);
	if ((int)cinfo.image_width != width || (int)cinfo.image_height != height) {
		snprintf(err, errlen, "size changed between reads");
		jpeg_destroy_decompress(&cinfo);
		return PV_JPEG_ERROR;
	}
	cinfo.out_color_space = JCS_EXT_RGBA;
	jpeg_start_decompress(&cinfo);
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = dst + (size_t)cinfo.output_scanline * (size_t)stride;
		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	jpeg_destroy_decompress(&cinfo);
	return PV_JPEG_OK;
}

int pv_jpeg_encode(const uint8_t* rgba, int width, int height, int stride, int quality,
                   unsigned char** out, unsigned long* outsize, char* err, size_t errlen) {
	struct jpeg_compress_struct cinfo;
	error_mgr e;
	*out = NULL;
	*outsize = 0;
	init_errors(&e, err, errlen);
	cinfo.err = &e.pub;
	if (setjmp(e.jump)) {
		jpeg_destroy_compress(&cinfo);
		free(*out);
		*out = NULL;
		return PV_JPEG_ERROR;
	}
	jpeg_create_compress(&cinfo);
	jpeg_mem_dest(&cinfo, out, outsize);
	cinfo.image_width = (JDIMENSION)width;
	cinfo.image_height = (JDIMENSION)height;
	cinfo.input_components = 4;
	cinfo.in_color_space = JCS_EXT_RGBX;
	jpeg_set_defaults(&cinfo);
	jpeg_set_quality(&cinfo, quality, TRUE);
	// Only the image: no JFIF or Adobe segment, nothing about the source.
	cinfo.write_JFIF_header = FALSE;
	cinfo.write_Adobe_marker = FALSE;
	jpeg_start_compress(&cinfo, TRUE);
	while (cinfo.next_scanline < cinfo.image_height) {
		JSAMPROW row = (JSAMPROW)(rgba + (size_t)cinfo.next_scanline * (size_t)stride);
		jpeg_write_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_compress(&cinfo);
	jpeg_destroy_compress(&cinfo);
	return PV_JPEG_OK;
}
