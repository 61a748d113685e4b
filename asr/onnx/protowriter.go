package onnx

import (
	"encoding/binary"
	"math"
)

// A minimal writer of the ONNX protobuf messages that the int8 self-check's built-in graph
// needs (onnx.proto: ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto). Field
// numbers are onnx.proto's; only what the self-check uses is here.

// ONNX TensorProto.DataType values.
const (
	onnxFloat = 1
	onnxUint8 = 2
	onnxInt8  = 3
	onnxInt32 = 6
)

type pbuf []byte

func (b pbuf) varint(field int, v uint64) pbuf {
	b = binary.AppendUvarint(b, uint64(field)<<3)
	return binary.AppendUvarint(b, v)
}

func (b pbuf) bytes(field int, v []byte) pbuf {
	b = binary.AppendUvarint(b, uint64(field)<<3|2)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func (b pbuf) str(field int, s string) pbuf { return b.bytes(field, []byte(s)) }

// intAttr is an INT attribute of a node (all the self-check needs).
type intAttr struct {
	name string
	v    int64
}

// onnxNode is a NodeProto.
func onnxNode(op, name string, in, out []string, attrs ...intAttr) []byte {
	var b pbuf
	for _, s := range in {
		b = b.str(1, s)
	}
	for _, s := range out {
		b = b.str(2, s)
	}
	b = b.str(3, name).str(4, op)
	for _, at := range attrs {
		var a pbuf
		a = a.str(1, at.name).varint(3, uint64(at.v)).varint(20, 2) // AttributeProto.type = INT
		b = b.bytes(5, a)
	}
	return b
}

// onnxTensor is a TensorProto holding raw little-endian data.
func onnxTensor(name string, dtype int, dims []int64, raw []byte) []byte {
	var b pbuf
	for _, d := range dims {
		b = b.varint(1, uint64(d))
	}
	return b.varint(2, uint64(dtype)).str(8, name).bytes(9, raw)
}

// onnxValueInfo is a ValueInfoProto of a tensor with fixed dimensions.
func onnxValueInfo(name string, dtype int, dims []int64) []byte {
	var shape pbuf
	for _, d := range dims {
		var dim pbuf
		shape = shape.bytes(1, dim.varint(1, uint64(d)))
	}
	var tt pbuf
	tt = tt.varint(1, uint64(dtype)).bytes(2, shape)
	var typ pbuf
	typ = typ.bytes(1, tt)
	var b pbuf
	return b.str(1, name).bytes(2, typ)
}

// onnxModel wraps a graph's parts into a ModelProto (IR version 8, default opset 13).
func onnxModel(name string, nodes, inits, inputs, outputs [][]byte) []byte {
	var g pbuf
	for _, n := range nodes {
		g = g.bytes(1, n)
	}
	g = g.str(2, name)
	for _, t := range inits {
		g = g.bytes(5, t)
	}
	for _, v := range inputs {
		g = g.bytes(11, v)
	}
	for _, v := range outputs {
		g = g.bytes(12, v)
	}
	var opset pbuf
	opset = opset.str(1, "").varint(2, 13)
	var m pbuf
	return m.varint(1, 8).str(2, "hark").bytes(8, opset).bytes(7, g)
}

func float32Raw(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func int8Raw(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}
