package vision

import (
	"encoding/binary"
	"math"
	"strconv"
)

// onnxGraph writes a small ONNX model (protocol buffers, by hand: the
// project needs five message types, not a protobuf library). Field
// numbers are onnx.proto's. Only what the descriptor network needs is
// here: float tensors, int and ints attributes, one input and one output.
type onnxGraph struct {
	nodes        [][]byte
	initializers [][]byte
	names        int
}

// onnx.proto's field numbers, by message.
const (
	// ModelProto
	onnxModelIRVersion = 1
	onnxModelProducer  = 2
	onnxModelGraph     = 7
	onnxModelOpset     = 8
	// OperatorSetIdProto
	onnxOpsetVersion = 2
	// GraphProto
	onnxGraphNode   = 1
	onnxGraphName   = 2
	onnxGraphInit   = 5
	onnxGraphInput  = 11
	onnxGraphOutput = 12
	// NodeProto
	onnxNodeInput     = 1
	onnxNodeOutput    = 2
	onnxNodeOpType    = 4
	onnxNodeAttribute = 5
	// AttributeProto
	onnxAttrName = 1
	onnxAttrInt  = 3
	onnxAttrInts = 8
	onnxAttrType = 20
	// TensorProto
	onnxTensorDims     = 1
	onnxTensorDataType = 2
	onnxTensorName     = 8
	onnxTensorRawData  = 9
	// ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto and
	// its Dimension
	onnxValueName      = 1
	onnxValueType      = 2
	onnxTypeTensor     = 1
	onnxTensorElemType = 1
	onnxTensorShape    = 2
	onnxShapeDim       = 1
	onnxDimValue       = 1
	onnxDimParam       = 2
)

// The values written: ONNX's IR version 8 and operator set 13 (both read
// by ONNX Runtime 1.24), its enums, and protobuf's wire types.
const (
	onnxIRVersion       = 8
	onnxOpsetForGraph   = 13
	onnxAttrTypeInt     = 2
	onnxAttrTypeInts    = 7
	onnxTypeFloat       = 1
	onnxTypeInt64       = 7
	onnxWireVarint      = 0
	onnxWireLengthDelim = 2
)

func pbTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

func pbInt(b []byte, field int, v int64) []byte {
	return binary.AppendUvarint(pbTag(b, field, onnxWireVarint), uint64(v))
}

func pbBytes(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(pbTag(b, field, onnxWireLengthDelim), uint64(len(v)))
	return append(b, v...)
}

func pbString(b []byte, field int, s string) []byte { return pbBytes(b, field, []byte(s)) }

// onnxAttr is a node attribute: an int, or a list of ints.
type onnxAttr struct {
	name string
	ints []int64
	list bool
}

func attrInt(name string, v int64) onnxAttr     { return onnxAttr{name: name, ints: []int64{v}} }
func attrInts(name string, v ...int64) onnxAttr { return onnxAttr{name: name, ints: v, list: true} }
func (a onnxAttr) encode() []byte {
	b := pbString(nil, onnxAttrName, a.name)
	if !a.list {
		b = pbInt(b, onnxAttrInt, a.ints[0])
		return pbInt(b, onnxAttrType, onnxAttrTypeInt)
	}
	for _, v := range a.ints {
		b = pbInt(b, onnxAttrInts, v)
	}
	return pbInt(b, onnxAttrType, onnxAttrTypeInts)
}

// node adds an operator and returns the name of its output.
func (g *onnxGraph) node(op string, inputs []string, attrs ...onnxAttr) string {
	return g.nodeTo(g.name(), op, inputs, attrs...)
}

// nodeTo adds an operator whose output is named out.
func (g *onnxGraph) nodeTo(out, op string, inputs []string, attrs ...onnxAttr) string {
	var b []byte
	for _, in := range inputs {
		b = pbString(b, onnxNodeInput, in)
	}
	b = pbString(b, onnxNodeOutput, out)
	b = pbString(b, onnxNodeOpType, op)
	for _, a := range attrs {
		b = pbBytes(b, onnxNodeAttribute, a.encode())
	}
	g.nodes = append(g.nodes, b)
	return out
}

// floats adds a constant float tensor and returns its name.
func (g *onnxGraph) floats(dims []int64, data []float32) string {
	raw := make([]byte, 0, 4*len(data))
	for _, v := range data {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
	}
	return g.constant(dims, onnxTypeFloat, raw)
}

// int64s adds a constant int64 tensor and returns its name.
func (g *onnxGraph) int64s(data ...int64) string {
	raw := make([]byte, 0, 8*len(data))
	for _, v := range data {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
	}
	return g.constant([]int64{int64(len(data))}, onnxTypeInt64, raw)
}

func (g *onnxGraph) constant(dims []int64, dataType int64, raw []byte) string {
	name := g.name()
	var b []byte
	for _, d := range dims {
		b = pbInt(b, onnxTensorDims, d)
	}
	b = pbInt(b, onnxTensorDataType, dataType)
	b = pbString(b, onnxTensorName, name)
	b = pbBytes(b, onnxTensorRawData, raw)
	g.initializers = append(g.initializers, b)
	return name
}

func (g *onnxGraph) name() string {
	g.names++
	return "t" + strconv.Itoa(g.names)
}

// valueInfo describes a float tensor of the given shape; a dimension
// under 0 is named by batch (its size is known only when the graph runs).
func valueInfo(name, batch string, dims ...int64) []byte {
	var shape []byte
	for _, d := range dims {
		var dim []byte
		if d < 0 {
			dim = pbString(nil, onnxDimParam, batch)
		} else {
			dim = pbInt(nil, onnxDimValue, d)
		}
		shape = pbBytes(shape, onnxShapeDim, dim)
	}
	tensor := pbInt(nil, onnxTensorElemType, onnxTypeFloat)
	tensor = pbBytes(tensor, onnxTensorShape, shape)
	typ := pbBytes(nil, onnxTypeTensor, tensor)
	b := pbString(nil, onnxValueName, name)
	return pbBytes(b, onnxValueType, typ)
}

// model returns the serialized ModelProto with the graph's nodes, from
// input (shape in) to output (shape out).
func (g *onnxGraph) model(input string, in []int64, output string, out []int64) []byte {
	var graph []byte
	for _, n := range g.nodes {
		graph = pbBytes(graph, onnxGraphNode, n)
	}
	graph = pbString(graph, onnxGraphName, "photovet")
	for _, t := range g.initializers {
		graph = pbBytes(graph, onnxGraphInit, t)
	}
	graph = pbBytes(graph, onnxGraphInput, valueInfo(input, "faces", in...))
	graph = pbBytes(graph, onnxGraphOutput, valueInfo(output, "faces", out...))
	m := pbInt(nil, onnxModelIRVersion, onnxIRVersion)
	m = pbString(m, onnxModelProducer, "photovet")
	m = pbBytes(m, onnxModelGraph, graph)
	return pbBytes(m, onnxModelOpset, pbInt(nil, onnxOpsetVersion, onnxOpsetForGraph))
}
