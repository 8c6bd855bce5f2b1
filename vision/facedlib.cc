// The dlib side of the face engine: HOG and CNN (MMOD) detection with
// scores, and the 5-point shape + ResNet descriptor of any given box. The
// network definitions are dlib's published ones (dnn_face_recognition_ex.cpp
// and dnn_mmod_face_detection_ex.cpp), which the model files were trained
// with. Go owns all policy (scales, merging, thresholds); this file only
// exposes what go-face hides: scores and describing an arbitrary box.
#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>

#include "facedlib.h"

using namespace dlib;

namespace {

template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual = add_prev1<block<N, BN, 1, tag1<SUBNET>>>;

template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<block<N, BN, 2, tag1<SUBNET>>>>>>;

template <int N, template <typename> class BN, int stride, typename SUBNET>
using block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, stride, stride, SUBNET>>>>>;

template <int N, typename SUBNET> using ares = relu<residual<block, N, affine, SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block, N, affine, SUBNET>>;

template <typename SUBNET> using alevel0 = ares_down<256, SUBNET>;
template <typename SUBNET> using alevel1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32, ares<32, ares<32, SUBNET>>>;

using descriptor_net = loss_metric<fc_no_bias<128, avg_pool_everything<
    alevel0<alevel1<alevel2<alevel3<alevel4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2,
    input_rgb_image_sized<150>>>>>>>>>>>>>;

template <long num_filters, typename SUBNET> using con5d = con<num_filters, 5, 5, 2, 2, SUBNET>;
template <long num_filters, typename SUBNET> using con5 = con<num_filters, 5, 5, 1, 1, SUBNET>;
template <typename SUBNET> using downsampler =
    relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5 = relu<affine<con5<45, SUBNET>>>;

// detector_con is the detector's last layer, one 9x9 filter over 45
// channels, computed directly. dlib's con_ unrolls its whole input first
// (im2col: 81 x 45 floats for every position), which for that layer takes
// about 750 bytes per pixel of the photo, three quarters of the network's
// memory; the direct sum needs none (same boxes and scores).
// It reads the same model file: parameters, geometry and serialization
// are con_'s.
class detector_con : public con_<1, 9, 9, 1, 1, 4, 4> {
public:
	template <typename SUBNET>
	void forward(const SUBNET& sub, resizable_tensor& output) {
		const tensor& in = sub.get_output();
		const long K = in.k(), R = in.nr(), C = in.nc(), N = 9, pad = 4;
		const tensor& params = get_layer_params();
		DLIB_CASSERT(params.size() == size_t(K * N * N + 1), "detector_con: unexpected parameters");
		const float* w = params.host();
		const float bias = w[K * N * N];
		output.set_size(in.num_samples(), 1, R, C);
		float* out = output.host();
		const float* x = in.host();
		for (long n = 0; n < in.num_samples(); n++) {
			float* o = out + n * R * C;
			std::fill(o, o + R * C, bias);
			for (long k = 0; k < K; k++) {
				const float* xk = x + (n * K + k) * R * C;
				for (long dy = 0; dy < N; dy++) {
					for (long dx = 0; dx < N; dx++) {
						const float wv = w[(k * N + dy) * N + dx];
						const long c0 = std::max(0L, pad - dx), c1 = std::min(C, C + pad - dx);
						for (long r = std::max(0L, pad - dy); r < std::min(R, R + pad - dy); r++) {
							const float* src = xk + (r + dy - pad) * C + (dx - pad);
							float* dst = o + r * C;
							for (long c = c0; c < c1; c++) dst[c] += wv * src[c];
						}
					}
				}
			}
		}
	}
};

template <typename SUBNET> using detector_out = add_layer<detector_con, SUBNET>;

using mmod_net = loss_mmod<detector_out<
    rcon5<rcon5<rcon5<downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;

char* copy_message(const char* what) {
	char* s = static_cast<char*>(std::malloc(std::strlen(what) + 1));
	if (s) std::strcpy(s, what);
	return s;
}

// Copies an RGBA buffer (4 bytes a pixel, stride bytes a row, alpha
// ignored) into a dlib RGB image, resized by scale.
matrix<rgb_pixel> to_image(const uint8_t* rgba, int w, int h, int stride, double scale) {
	matrix<rgb_pixel> img(h, w);
	for (int y = 0; y < h; y++) {
		const uint8_t* src = rgba + size_t(y) * size_t(stride);
		for (int x = 0; x < w; x++, src += 4) {
			img(y, x) = rgb_pixel(src[0], src[1], src[2]);
		}
	}
	if (scale == 1.0) return img;
	matrix<rgb_pixel> scaled(long(h * scale + 0.5), long(w * scale + 0.5));
	resize_image(img, scaled, interpolate_bilinear());
	return scaled;
}

// Converts an RGBA buffer to grey levels (Rec. 601 luma), resized by scale.
matrix<unsigned char> to_grey(const uint8_t* rgba, int w, int h, int stride, double scale) {
	matrix<unsigned char> img(h, w);
	for (int y = 0; y < h; y++) {
		const uint8_t* src = rgba + size_t(y) * size_t(stride);
		for (int x = 0; x < w; x++, src += 4) {
			img(y, x) = static_cast<unsigned char>((299 * src[0] + 587 * src[1] + 114 * src[2] + 500) / 1000);
		}
	}
	if (scale == 1.0) return img;
	matrix<unsigned char> scaled(long(h * scale + 0.5), long(w * scale + 0.5));
	resize_image(img, scaled, interpolate_bilinear());
	return scaled;
}

}  // namespace

struct pv_engine {
	frontal_face_detector hog;
	mmod_net cnn;
	shape_predictor shapes;
	descriptor_net describer;
};

extern "C" {

pv_engine* pv_engine_new(const char* model_dir, char** err) {
	pv_engine* e = nullptr;
	try {
		e = new pv_engine;
		std::string dir = model_dir;
		e->hog = get_frontal_face_detector();
		deserialize(dir + "/mmod_human_face_detector.dat") >> e->cnn;
		deserialize(dir + "/shape_predictor_5_face_landmarks.dat") >> e->shapes;
		deserialize(dir + "/dlib_face_recognition_resnet_model_v1.dat") >> e->describer;
		return e;
	} catch (std::exception& ex) {
		delete e;
		*err = copy_message(ex.what());
		return nullptr;
	}
}

void pv_engine_free(pv_engine* e) { delete e; }

int pv_detect(pv_engine* e, const uint8_t* rgba, int w, int h, int stride, double scale,
              int detector, double adjust, pv_detection** out, char** err) {
	*out = nullptr;
	try {
		std::vector<pv_detection> found;
		if (detector == PV_HOG) {
			// HOG on grey levels: on colour, dlib takes each pixel's
			// strongest channel gradient, three times the work.
			matrix<unsigned char> grey = to_grey(rgba, w, h, stride, scale);
			std::vector<rect_detection> dets;
			e->hog(grey, dets, adjust);
			for (const auto& d : dets) {
				found.push_back({d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom(), d.detection_confidence});
			}
		} else {
			std::vector<mmod_rect> dets;
			{
				matrix<rgb_pixel> img = to_image(rgba, w, h, stride, scale);
				dets = e->cnn.process(img, adjust);
			}
			for (const auto& d : dets) {
				found.push_back({d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom(), d.detection_confidence});
			}
			// The network keeps every layer's output of the last call
			// (about 180 bytes per input pixel): drop them, and give the
			// freed heap back to the system, so that an idle worker holds
			// only its models.
			e->cnn.clean();
			malloc_trim(0);
		}
		if (found.empty()) return 0;
		auto* buf = static_cast<pv_detection*>(std::malloc(found.size() * sizeof(pv_detection)));
		if (!buf) throw std::bad_alloc();
		for (size_t i = 0; i < found.size(); i++) {
			pv_detection d = found[i];
			d.left = long(d.left / scale);
			d.top = long(d.top / scale);
			d.right = long(d.right / scale);
			d.bottom = long(d.bottom / scale);
			buf[i] = d;
		}
		*out = buf;
		return int(found.size());
	} catch (std::exception& ex) {
		*err = copy_message(ex.what());
		return -1;
	}
}

int pv_describe(pv_engine* e, const uint8_t* rgba, int w, int h, int stride,
                long left, long top, long right, long bottom, int jitters,
                float* descriptor, long* points, char** err) {
	try {
		matrix<rgb_pixel> img = to_image(rgba, w, h, stride, 1.0);
		full_object_detection shape = e->shapes(img, rectangle(left, top, right, bottom));
		for (unsigned long i = 0; i < shape.num_parts() && i < 5; i++) {
			points[2 * i] = shape.part(i).x();
			points[2 * i + 1] = shape.part(i).y();
		}
		matrix<rgb_pixel> chip;
		extract_image_chip(img, get_face_chip_details(shape, 150, 0.25), chip);
		matrix<float, 0, 1> d;
		if (jitters > 1) {
			// Average over slightly shifted, scaled and mirrored copies
			// (dlib's jitter_image), seeded alike on every call so the
			// same face always gets the same descriptor.
			dlib::rand rnd;
			std::vector<matrix<rgb_pixel>> crops{chip};
			for (int i = 1; i < jitters; i++) crops.push_back(jitter_image(chip, rnd));
			d = mean(mat(e->describer(crops)));
		} else {
			d = e->describer(chip);
		}
		for (long i = 0; i < 128; i++) descriptor[i] = d(i);
		return 0;
	} catch (std::exception& ex) {
		*err = copy_message(ex.what());
		return -1;
	}
}

}  // extern "C"
