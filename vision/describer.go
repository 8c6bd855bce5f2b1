package vision

import "fmt"

// The descriptor network is dlib's ResNet (dlib_face_recognition_resnet_model_v1,
// the one enrolled references were computed with), run by ONNX Runtime:
// a face takes 6.6 ms there against 15 ms in dlib (BenchmarkPhoto). The
// ONNX graph is built from dlib's model file when the engine starts, layer
// for layer with dlib's semantics, so no converted file has to be fetched
// or verified, and the descriptors stay dlib's (TestDescriptorsMatchDlib).

// describer runs the descriptor network on face chips.
type describer struct {
	session *onnxSession
}

// Names of the graph's input (face chips, RGB bytes as floats, NCHW) and
// output (one 128-d descriptor a chip).
const (
	chipsInput        = "chips"
	descriptorsOutput = "descriptors"
)

// tensorShape is a tensor's channels, rows and columns (one sample).
type tensorShape struct{ k, h, w int }

// tensorRef is a tensor of the graph being built and its shape.
type tensorRef struct {
	name  string
	shape tensorShape
}

// buildDescriptorNetwork turns dlib's layers (input first) into an ONNX
// graph reading chips of side chip. Each layer does what dlib's does:
// convolutions cross-correlate with symmetric padding, an affine layer
// scales and shifts each channel (folded into the convolution before it),
// add_prev adds two tensors padding the smaller one with zeros at the end
// of each dimension, fc multiplies the flattened sample by its matrix.
func buildDescriptorNetwork(layers []dlibLayer, chip int) ([]byte, error) {
	if len(layers) == 0 || layers[0].kind != layerInput || len(layers[0].weights) != 3 {
		return nil, fmt.Errorf("descriptor network: no RGB input layer")
	}
	var g onnxGraph
	// dlib's input layer: (pixel - mean) / 256, per channel.
	means := layers[0].weights
	cur := tensorRef{chipsInput, tensorShape{3, chip, chip}}
	cur.name = g.node("Sub", []string{cur.name, g.floats([]int64{1, 3, 1, 1}, means)})
	cur.name = g.node("Mul", []string{cur.name, g.floats([]int64{1, 1, 1, 1}, []float32{1.0 / 256})})
	flat := false
	tags := map[int]tensorRef{}
	for i := 1; i < len(layers); i++ {
		l := layers[i]
		if flat && l.kind != layerFC {
			return nil, fmt.Errorf("descriptor network: layer %d after the fully connected one", l.kind)
		}
		var err error
		switch l.kind {
		case layerCon:
			var next *dlibLayer
			if i+1 < len(layers) && layers[i+1].kind == layerAffine {
				next = &layers[i+1]
				i++
			}
			cur, err = g.convolution(cur, l, next)
		case layerAffine:
			cur, err = g.affine(cur, l.weights)
		case layerRelu:
			cur.name = g.node("Relu", []string{cur.name})
		case layerMaxPool, layerAvgPool:
			cur, err = g.pool(cur, l)
		case layerTag:
			tags[l.fields[0]] = cur
		case layerSkip:
			t, ok := tags[l.fields[0]]
			if !ok {
				return nil, fmt.Errorf("descriptor network: skip to tag %d before it", l.fields[0])
			}
			cur = t
		case layerAddPrev:
			t, ok := tags[l.fields[0]]
			if !ok {
				return nil, fmt.Errorf("descriptor network: add_prev of tag %d before it", l.fields[0])
			}
			cur = g.addPadded(cur, t)
		case layerFC:
			if flat {
				return nil, fmt.Errorf("descriptor network: two fully connected layers")
			}
			cur, err = g.fullyConnected(cur, l)
			flat = true
		default:
			return nil, fmt.Errorf("descriptor network: layer kind %d", l.kind)
		}
		if err != nil {
			return nil, fmt.Errorf("descriptor network: %w", err)
		}
	}
	if !flat || cur.shape.k != len(Descriptor{}) {
		return nil, fmt.Errorf("descriptor network: output %+v, want %d values", cur.shape, len(Descriptor{}))
	}
	g.nodeTo(descriptorsOutput, "Identity", []string{cur.name})
	return g.model(chipsInput, []int64{-1, 3, int64(chip), int64(chip)}, descriptorsOutput, []int64{-1, int64(cur.shape.k)}), nil
}

// convolution adds dlib's con layer l, with the affine layer after it
// folded in when there is one.
func (g *onnxGraph) convolution(in tensorRef, l dlibLayer, affine *dlibLayer) (tensorRef, error) {
	if len(l.fields) != 8 {
		return tensorRef{}, fmt.Errorf("con layer with %d fields", len(l.fields))
	}
	f, nr, nc, sy, sx, py, px, bias := l.fields[0], l.fields[1], l.fields[2], l.fields[3], l.fields[4], l.fields[5], l.fields[6], l.fields[7]
	per := in.shape.k * nr * nc
	if len(l.weights) != f*per+bias*f {
		return tensorRef{}, fmt.Errorf("con layer: %d weights for %d filters of %dx%dx%d", len(l.weights), f, in.shape.k, nr, nc)
	}
	w := append([]float32(nil), l.weights[:f*per]...)
	b := make([]float32, f)
	if bias == 1 {
		copy(b, l.weights[f*per:])
	}
	if affine != nil {
		if len(affine.weights) != 2*f {
			return tensorRef{}, fmt.Errorf("affine layer: %d weights for %d channels", len(affine.weights), f)
		}
		gamma, beta := affine.weights[:f], affine.weights[f:]
		for o := range f {
			for j := range per {
				w[o*per+j] *= gamma[o]
			}
			b[o] = b[o]*gamma[o] + beta[o]
		}
	}
	out := tensorShape{f, (in.shape.h+2*py-nr)/sy + 1, (in.shape.w+2*px-nc)/sx + 1}
	if out.h <= 0 || out.w <= 0 {
		return tensorRef{}, fmt.Errorf("con layer leaves %dx%d", out.h, out.w)
	}
	name := g.node("Conv", []string{in.name, g.floats([]int64{int64(f), int64(in.shape.k), int64(nr), int64(nc)}, w), g.floats([]int64{int64(f)}, b)},
		attrInts("kernel_shape", int64(nr), int64(nc)), attrInts("strides", int64(sy), int64(sx)),
		attrInts("pads", int64(py), int64(px), int64(py), int64(px)))
	return tensorRef{name, out}, nil
}

// affine adds an affine layer that follows no convolution.
func (g *onnxGraph) affine(in tensorRef, weights []float32) (tensorRef, error) {
	k := in.shape.k
	if len(weights) != 2*k {
		return tensorRef{}, fmt.Errorf("affine layer: %d weights for %d channels", len(weights), k)
	}
	dims := []int64{1, int64(k), 1, 1}
	name := g.node("Mul", []string{in.name, g.floats(dims, weights[:k])})
	name = g.node("Add", []string{name, g.floats(dims, weights[k:])})
	return tensorRef{name, in.shape}, nil
}

// pool adds a max or average pooling layer; rows 0 pools the whole plane.
func (g *onnxGraph) pool(in tensorRef, l dlibLayer) (tensorRef, error) {
	if len(l.fields) != 6 {
		return tensorRef{}, fmt.Errorf("pooling layer with %d fields", len(l.fields))
	}
	nr, nc, sy, sx, py, px := l.fields[0], l.fields[1], l.fields[2], l.fields[3], l.fields[4], l.fields[5]
	op := "MaxPool"
	if l.kind == layerAvgPool {
		// dlib averages over the window inside the tensor only; ONNX's
		// AveragePool with padding would need count_include_pad checked.
		if py != 0 || px != 0 {
			return tensorRef{}, fmt.Errorf("average pooling with padding")
		}
		op = "AveragePool"
	}
	if nr == 0 || nc == 0 {
		name := g.node("Global"+op, []string{in.name})
		return tensorRef{name, tensorShape{in.shape.k, 1, 1}}, nil
	}
	out := tensorShape{in.shape.k, (in.shape.h+2*py-nr)/sy + 1, (in.shape.w+2*px-nc)/sx + 1}
	if out.h <= 0 || out.w <= 0 {
		return tensorRef{}, fmt.Errorf("pooling leaves %dx%d", out.h, out.w)
	}
	name := g.node(op, []string{in.name},
		attrInts("kernel_shape", int64(nr), int64(nc)), attrInts("strides", int64(sy), int64(sx)),
		attrInts("pads", int64(py), int64(px), int64(py), int64(px)))
	return tensorRef{name, out}, nil
}

// addPadded adds a and b as dlib's add_prev does: the sum has the larger
// size in each dimension, and what one tensor lacks counts as zero.
func (g *onnxGraph) addPadded(a, b tensorRef) tensorRef {
	out := tensorShape{max(a.shape.k, b.shape.k), max(a.shape.h, b.shape.h), max(a.shape.w, b.shape.w)}
	pad := func(t tensorRef) string {
		if t.shape == out {
			return t.name
		}
		pads := g.int64s(0, 0, 0, 0, 0, int64(out.k-t.shape.k), int64(out.h-t.shape.h), int64(out.w-t.shape.w))
		return g.node("Pad", []string{t.name, pads})
	}
	return tensorRef{g.node("Add", []string{pad(a), pad(b)}), out}
}

// fullyConnected adds dlib's fc layer: the sample flattened (channels,
// rows, columns) times its inputs x outputs matrix, plus the biases.
func (g *onnxGraph) fullyConnected(in tensorRef, l dlibLayer) (tensorRef, error) {
	if len(l.fields) != 2 {
		return tensorRef{}, fmt.Errorf("fc layer with %d fields", len(l.fields))
	}
	outputs, bias := l.fields[0], l.fields[1]
	inputs := in.shape.k * in.shape.h * in.shape.w
	if len(l.weights) != (inputs+bias)*outputs {
		return tensorRef{}, fmt.Errorf("fc layer: %d weights for %d inputs and %d outputs", len(l.weights), inputs, outputs)
	}
	name := g.node("Flatten", []string{in.name}, attrInt("axis", 1))
	name = g.node("MatMul", []string{name, g.floats([]int64{int64(inputs), int64(outputs)}, l.weights[:inputs*outputs])})
	if bias == 1 {
		name = g.node("Add", []string{name, g.floats([]int64{int64(outputs)}, l.weights[inputs*outputs:])})
	}
	return tensorRef{name, tensorShape{outputs, 1, 1}}, nil
}

// newDescriptorNetwork reads dlib's descriptor model file at path and
// builds its ONNX model, for chips of side chip.
func newDescriptorNetwork(path string, chip int) ([]byte, error) {
	layers, err := descriptorLayers(path)
	if err != nil {
		return nil, err
	}
	return buildDescriptorNetwork(layers, chip)
}

func newDescriber(model []byte, threads int) (*describer, error) {
	s, err := newSession(model, []string{chipsInput}, []string{descriptorsOutput}, threads)
	if err != nil {
		return nil, fmt.Errorf("load the descriptor network: %w", err)
	}
	return &describer{session: s}, nil
}

func (d *describer) close() { d.session.close() }

// describe computes the descriptors of count faces from their chips (one
// after another, RGB bytes, side chip).
func (d *describer) describe(chips []byte, count, chip int) ([]Descriptor, error) {
	plane := chip * chip
	if len(chips) != count*3*plane {
		return nil, fmt.Errorf("describe: %d bytes for %d chips", len(chips), count)
	}
	input := make([]float32, len(chips))
	for c := range count {
		src := chips[c*3*plane : (c+1)*3*plane]
		dst := input[c*3*plane : (c+1)*3*plane]
		for i := range plane {
			dst[i] = float32(src[3*i])
			dst[plane+i] = float32(src[3*i+1])
			dst[2*plane+i] = float32(src[3*i+2])
		}
	}
	out, _, err := d.session.run(input, count, 3, chip, chip)
	if err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	size := len(Descriptor{})
	if len(out[0]) != count*size {
		return nil, fmt.Errorf("describe: %d values for %d chips", len(out[0]), count)
	}
	descs := make([]Descriptor, count)
	for f := range descs {
		copy(descs[f][:], out[0][f*size:(f+1)*size])
	}
	return descs, nil
}
