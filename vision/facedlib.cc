// The dlib side of the face engine: the 5-point shape of any given box and
// the face chip the descriptor network reads, and the descriptor network's
// layers, read from dlib's model file for describer.go to run in ONNX
// Runtime. The network definition is dlib's published one
// (dnn_face_recognition_ex.cpp), which the model file was trained with.
// Detection is RetinaFace's (retinaface.go); Go owns all policy.
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

// layer_lister lists a network's layers for pv_descriptor_layers, from
// the output down (visit_layers' order).
class layer_lister {
public:
	std::vector<int>& ops;
	std::vector<float>& weights;

	template <typename input_layer>
	void operator()(size_t, const input_layer& in) {
		const float means[] = {in.get_avg_red(), in.get_avg_green(), in.get_avg_blue()};
		add(PV_LAYER_INPUT, {}, means, 3);
	}

	template <typename T, typename U>
	void operator()(size_t, const add_loss_layer<T, U>&) {}

	template <typename T, typename U, typename E>
	void operator()(size_t, const add_layer<T, U, E>& l) {
		list(l.layer_details());
	}

	template <unsigned long ID, typename U, typename E>
	void operator()(size_t, const add_tag_layer<ID, U, E>&) {
		add(PV_LAYER_TAG, {int(ID)});
	}

	template <template <typename> class TAG, typename U>
	void operator()(size_t, const add_skip_layer<TAG, U>&) {
		add(PV_LAYER_SKIP, {int(tag_id<TAG>::id)});
	}

private:
	void add(int kind, std::initializer_list<int> fields, const float* w = nullptr, size_t n = 0) {
		ops.push_back(kind);
		ops.push_back(int(fields.size()));
		ops.insert(ops.end(), fields);
		ops.push_back(int(n));
		if (n) weights.insert(weights.end(), w, w + n);
	}

	void add(int kind, std::initializer_list<int> fields, const tensor& params) {
		add(kind, fields, params.host(), params.size());
	}

	template <long F, long NR, long NC, int SY, int SX, int PY, int PX>
	void list(const con_<F, NR, NC, SY, SX, PY, PX>& c) {
		add(PV_LAYER_CON,
		    {int(c.num_filters()), int(NR), int(NC), SY, SX, int(c.padding_y()), int(c.padding_x()),
		     c.bias_is_disabled() ? 0 : 1},
		    c.get_layer_params());
	}

	void list(const affine_& a) {
		if (a.get_mode() != CONV_MODE || a.is_disabled()) throw error("unexpected affine layer");
		// Its parameters are not the layer's (get_layer_params is empty:
		// an affine layer is not trained), but its gamma and beta.
		auto gamma = a.get_gamma();
		auto beta = a.get_beta();
		const tensor& g = gamma;
		const tensor& b = beta;
		std::vector<float> w(g.host(), g.host() + g.size());
		w.insert(w.end(), b.host(), b.host() + b.size());
		add(PV_LAYER_AFFINE, {}, w.data(), w.size());
	}

	void list(const relu_&) { add(PV_LAYER_RELU, {}); }

	template <long NR, long NC, int SY, int SX, int PY, int PX>
	void list(const max_pool_<NR, NC, SY, SX, PY, PX>&) {
		add(PV_LAYER_MAX_POOL, {int(NR), int(NC), SY, SX, PY, PX});
	}

	template <long NR, long NC, int SY, int SX, int PY, int PX>
	void list(const avg_pool_<NR, NC, SY, SX, PY, PX>&) {
		add(PV_LAYER_AVG_POOL, {int(NR), int(NC), SY, SX, PY, PX});
	}

	template <template <typename> class TAG>
	void list(const add_prev_<TAG>&) {
		add(PV_LAYER_ADD_PREV, {int(tag_id<TAG>::id)});
	}

	template <unsigned long N, fc_bias_mode MODE>
	void list(const fc_<N, MODE>& f) {
		add(PV_LAYER_FC, {int(N), MODE == FC_HAS_BIAS ? 1 : 0}, f.get_layer_params());
	}
};

}  // namespace

struct pv_engine {
	shape_predictor shapes;
};

extern "C" {

pv_engine* pv_engine_new(const char* model_dir, char** err) {
	pv_engine* e = nullptr;
	try {
		e = new pv_engine;
		std::string dir = model_dir;
		deserialize(dir + "/shape_predictor_5_face_landmarks.dat") >> e->shapes;
		return e;
	} catch (std::exception& ex) {
		delete e;
		*err = copy_message(ex.what());
		return nullptr;
	}
}

void pv_engine_free(pv_engine* e) { delete e; }

int pv_chips(pv_engine* e, const uint8_t* rgba, int stride, int n, const long* crops,
             const long* rects, uint8_t* chips, long* points, char** err) {
	try {
		const size_t chip_bytes = 3 * PV_CHIP_SIZE * PV_CHIP_SIZE;
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
			extract_image_chip(img, get_face_chip_details(shape, PV_CHIP_SIZE, 0.25), chip);
			std::memcpy(chips + size_t(f) * chip_bytes, &chip(0, 0), chip_bytes);
		}
		return 0;
	} catch (std::exception& ex) {
		*err = copy_message(ex.what());
		return -1;
	}
}

int pv_descriptor_layers(const char* path, int** ops, long* n_ops, float** weights, long* n_weights,
                         char** err) {
	try {
		descriptor_net net;
		deserialize(path) >> net;
		std::vector<int> o;
		std::vector<float> w;
		visit_layers(net, layer_lister{o, w});
		*ops = static_cast<int*>(std::malloc(o.size() * sizeof(int)));
		*weights = static_cast<float*>(std::malloc(w.size() * sizeof(float)));
		if (!*ops || !*weights) {
			std::free(*ops);
			std::free(*weights);
			throw std::bad_alloc();
		}
		std::memcpy(*ops, o.data(), o.size() * sizeof(int));
		std::memcpy(*weights, w.data(), w.size() * sizeof(float));
		*n_ops = long(o.size());
		*n_weights = long(w.size());
		return 0;
	} catch (std::exception& ex) {
		*err = copy_message(ex.what());
		return -1;
	}
}

}  // extern "C"
