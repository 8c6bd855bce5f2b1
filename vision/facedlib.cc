// The dlib side of the face engine: the 5-point shape and the ResNet
// descriptor of any given box. The network definition is dlib's published
// one (dnn_face_recognition_ex.cpp), which the model file was trained
// with. Detection is RetinaFace's (retinaface.go); Go owns all policy.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <dlib/dnn.h>
#include <dlib/image_processing.h>
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

char* copy_message(const char* what) {
	char* s = static_cast<char*>(std::malloc(std::strlen(what) + 1));
	if (s) std::strcpy(s, what);
	return s;
}

// Copies an RGBA buffer (4 bytes a pixel, stride bytes a row, alpha
// ignored) into a dlib RGB image.
matrix<rgb_pixel> to_image(const uint8_t* rgba, int w, int h, int stride) {
	matrix<rgb_pixel> img(h, w);
	for (int y = 0; y < h; y++) {
		const uint8_t* src = rgba + size_t(y) * size_t(stride);
		for (int x = 0; x < w; x++, src += 4) {
			img(y, x) = rgb_pixel(src[0], src[1], src[2]);
		}
	}
	return img;
}

}  // namespace

struct pv_engine {
	shape_predictor shapes;
	descriptor_net describer;
};

extern "C" {

pv_engine* pv_engine_new(const char* model_dir, char** err) {
	pv_engine* e = nullptr;
	try {
		e = new pv_engine;
		std::string dir = model_dir;
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

int pv_describe(pv_engine* e, const uint8_t* rgba, int stride, int n, const long* crops,
                const long* rects, int jitters, float* descriptors, long* points, char** err) {
	try {
		std::vector<matrix<rgb_pixel>> chips;
		dlib::rand rnd;
		for (int f = 0; f < n; f++) {
			const long* c = crops + 4 * f;
			const long* r = rects + 4 * f;
			matrix<rgb_pixel> img = to_image(rgba + c[1] * stride + 4 * c[0], c[2], c[3], stride);
			full_object_detection shape = e->shapes(img, rectangle(r[0], r[1], r[2], r[3]));
			for (unsigned long i = 0; i < 5; i++) {
				points[10 * f + 2 * i] = i < shape.num_parts() ? shape.part(i).x() : 0;
				points[10 * f + 2 * i + 1] = i < shape.num_parts() ? shape.part(i).y() : 0;
			}
			matrix<rgb_pixel> chip;
			extract_image_chip(img, get_face_chip_details(shape, 150, 0.25), chip);
			chips.push_back(chip);
			// Slightly shifted, scaled and mirrored copies (dlib's
			// jitter_image), seeded alike on every call so the same face
			// always gets the same descriptor.
			rnd = dlib::rand();
			for (int i = 1; i < jitters; i++) chips.push_back(jitter_image(chip, rnd));
		}
		std::vector<matrix<float, 0, 1>> out = e->describer(chips);
		for (int f = 0; f < n; f++) {
			matrix<float, 0, 1> d = out[size_t(f) * jitters];
			for (int i = 1; i < jitters; i++) d += out[size_t(f) * jitters + i];
			d /= jitters;
			for (long i = 0; i < 128; i++) descriptors[128 * f + i] = d(i);
		}
		return 0;
	} catch (std::exception& ex) {
		*err = copy_message(ex.what());
		return -1;
	}
}

}  // extern "C"
