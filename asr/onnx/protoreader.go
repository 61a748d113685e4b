package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A minimal, strict reader of the parts of an ONNX ModelProto that Inspect needs: the graph's
// inputs and outputs and the model's metadata_props. Reading them this way spares the two
// throwaway ONNX Runtime sessions that asking ONNX Runtime costs (about a second for the
// default model); the session that Open builds still validates the whole model.
//
// Field numbers are onnx.proto's. The reader follows protobuf's parsing rules where they
// matter (a field that repeats merges into the earlier one; a field with an unexpected wire
// type is an unknown field and is skipped, as are unknown fields) and is strict about the
// encoding: every varint and length is checked against the bytes left, groups and invalid
// wire types are refused. It does not recurse (the nesting follows the message types read,
// at most 7 deep), never allocates from a length it reads, does work linear in the input, and
// caps the number of values it returns.

// Value kinds, numbered as ONNX Runtime's ONNXType.
const (
	kindUnknown = iota
	kindTensor
	kindSequence
	kindMap
	kindOpaque
	kindSparseTensor
	kindOptional
)

// Caps on what a model may declare; a file beyond them is refused.
const (
	maxValues = 1 << 16 // graph inputs, graph outputs, metadata entries (each)
	maxRank   = 1 << 10 // dimensions of one tensor
)

// onnxValue is a graph input or output as the model declares it.
type onnxValue struct {
	name  string
	kind  int     // kindTensor, kindSequence, ...; kindUnknown when the type is missing
	elem  int32   // TensorProto.DataType of a tensor or sparse tensor
	shape []int64 // a tensor's dimensions, -1 where dynamic; nil if not given
}

// modelIO is what readONNX returns.
type modelIO struct {
	inputs, outputs []onnxValue // inputs exclude those that name an initializer
	metadata        map[string]string
}

// readONNX reads an ONNX model's graph inputs, outputs and metadata_props.
func readONNX(data []byte) (*modelIO, error) {
	var r protoReader
	return r.model(data)
}

// protoReader walks protobuf messages; fields counts the fields visited (a measure of work).
type protoReader struct{ fields int }

// pbField is one field of a message: v holds a varint or fixed value, b a length-delimited one.
type pbField struct {
	num, wire int
	v         uint64
	b         []byte
}

const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

var errTruncated = errors.New("truncated protobuf")

// each calls fn for each field of msg in order.
func (r *protoReader) each(msg []byte, fn func(f pbField) error) error {
	for len(msg) > 0 {
		tag, n := binary.Uvarint(msg)
		if n <= 0 {
			return errTruncated
		}
		msg = msg[n:]
		num := tag >> 3
		if num == 0 || num > 1<<29-1 {
			return fmt.Errorf("protobuf field number %d out of range", num)
		}
		f := pbField{num: int(num), wire: int(tag & 7)}
		switch f.wire {
		case wireVarint:
			v, n := binary.Uvarint(msg)
			if n <= 0 {
				return errTruncated
			}
			f.v, msg = v, msg[n:]
		case wireFixed64:
			if len(msg) < 8 {
				return errTruncated
			}
			f.v, msg = binary.LittleEndian.Uint64(msg), msg[8:]
		case wireFixed32:
			if len(msg) < 4 {
				return errTruncated
			}
			f.v, msg = uint64(binary.LittleEndian.Uint32(msg)), msg[4:]
		case wireBytes:
			l, n := binary.Uvarint(msg)
			if n <= 0 || l > uint64(len(msg)-n) {
				return errTruncated
			}
			msg = msg[n:]
			f.b, msg = msg[:l:l], msg[l:]
		default:
			return fmt.Errorf("protobuf wire type %d (field %d) not supported", f.wire, num)
		}
		r.fields++
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// is reports whether f is field num with the given wire type.
func (f pbField) is(num, wire int) bool { return f.num == num && f.wire == wire }

// model reads a ModelProto.
func (r *protoReader) model(data []byte) (*modelIO, error) {
	m := &modelIO{metadata: map[string]string{}}
	var hasIR, hasOpset, hasGraph bool
	err := r.each(data, func(f pbField) error {
		switch {
		case f.is(1, wireVarint): // ir_version
			hasIR = true
		case f.is(8, wireBytes): // opset_import
			hasOpset = true
		case f.is(7, wireBytes): // graph
			hasGraph = true
			return r.graph(f.b, m)
		case f.is(14, wireBytes): // metadata_props
			k, v, err := r.entry(f.b)
			if err != nil {
				return err
			}
			if _, ok := m.metadata[k]; !ok && len(m.metadata) >= maxValues {
				return errors.New("too many metadata entries")
			}
			m.metadata[k] = v
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case !hasIR:
		return nil, errors.New("no IR version")
	case !hasOpset:
		return nil, errors.New("no opset import")
	case !hasGraph:
		return nil, errors.New("no graph")
	}
	// Graph inputs that name an initializer are not inputs (ONNX Runtime lists them as
	// overridable initializers); a second pass finds them.
	init, err := r.initializers(data, m.inputs)
	if err != nil {
		return nil, err
	}
	if len(init) > 0 {
		ins := m.inputs[:0]
		for _, v := range m.inputs {
			if !init[v.name] {
				ins = append(ins, v)
			}
		}
		m.inputs = ins
	}
	return m, nil
}

// graph reads a GraphProto's inputs and outputs into m.
func (r *protoReader) graph(g []byte, m *modelIO) error {
	return r.each(g, func(f pbField) error {
		var to *[]onnxValue
		switch {
		case f.is(11, wireBytes): // input
			to = &m.inputs
		case f.is(12, wireBytes): // output
			to = &m.outputs
		default:
			return nil
		}
		if len(*to) >= maxValues {
			return errors.New("too many graph inputs or outputs")
		}
		v, err := r.valueInfo(f.b)
		if err != nil {
			return err
		}
		*to = append(*to, v)
		return nil
	})
}

// valueInfo reads a ValueInfoProto.
func (r *protoReader) valueInfo(b []byte) (onnxValue, error) {
	var v onnxValue
	err := r.each(b, func(f pbField) error {
		switch {
		case f.is(1, wireBytes): // name
			v.name = string(f.b)
		case f.is(2, wireBytes): // type
			return r.typeProto(f.b, &v)
		}
		return nil
	})
	return v, err
}

// typeProto reads a TypeProto into v. Its value is a oneof: a member replaces another member
// and merges with an earlier occurrence of itself.
func (r *protoReader) typeProto(b []byte, v *onnxValue) error {
	return r.each(b, func(f pbField) error {
		if f.wire != wireBytes {
			return nil
		}
		kind := kindUnknown
		switch f.num {
		case 1:
			kind = kindTensor
		case 4:
			kind = kindSequence
		case 5:
			kind = kindMap
		case 7:
			kind = kindOpaque
		case 8:
			kind = kindSparseTensor
		case 9:
			kind = kindOptional
		default: // denotation, unknown fields
			return nil
		}
		if v.kind != kind {
			v.kind, v.elem, v.shape = kind, 0, nil
		}
		if kind == kindTensor || kind == kindSparseTensor {
			return r.tensorType(f.b, v)
		}
		return nil
	})
}

// tensorType reads a TypeProto.Tensor (or SparseTensor, which has the same fields).
func (r *protoReader) tensorType(b []byte, v *onnxValue) error {
	return r.each(b, func(f pbField) error {
		switch {
		case f.is(1, wireVarint): // elem_type
			v.elem = int32(f.v)
		case f.is(2, wireBytes): // shape
			if v.shape == nil {
				v.shape = []int64{}
			}
			return r.each(f.b, func(f pbField) error {
				if !f.is(1, wireBytes) { // dim
					return nil
				}
				if len(v.shape) >= maxRank {
					return errors.New("tensor rank too large")
				}
				d, err := r.dim(f.b)
				v.shape = append(v.shape, d)
				return err
			})
		}
		return nil
	})
}

// dim reads a TensorShapeProto.Dimension: its dim_value, or -1 for a dim_param, neither, or
// a negative dim_value (as ONNX Runtime reports them).
func (r *protoReader) dim(b []byte) (int64, error) {
	d := int64(-1)
	err := r.each(b, func(f pbField) error {
		switch {
		case f.is(1, wireVarint): // dim_value
			d = max(int64(f.v), -1)
		case f.is(2, wireBytes): // dim_param
			d = -1
		}
		return nil
	})
	return d, err
}

// entry reads a StringStringEntryProto.
func (r *protoReader) entry(b []byte) (key, value string, err error) {
	err = r.each(b, func(f pbField) error {
		switch {
		case f.is(1, wireBytes):
			key = string(f.b)
		case f.is(2, wireBytes):
			value = string(f.b)
		}
		return nil
	})
	return key, value, err
}

// initializers returns which of inputs' names the graph's initializers (GraphProto field 5, a
// TensorProto named by its field 8) or sparse initializers (field 15, whose values, field 1,
// is such a TensorProto) take. data has been read once without error.
func (r *protoReader) initializers(data []byte, inputs []onnxValue) (map[string]bool, error) {
	if len(inputs) == 0 {
		return nil, nil
	}
	names := make(map[string]bool, len(inputs))
	for _, v := range inputs {
		names[v.name] = false
	}
	var used map[string]bool
	mark := func(name []byte, named bool) {
		if _, ok := names[string(name)]; ok && named {
			if used == nil {
				used = map[string]bool{}
			}
			used[string(name)] = true
		}
	}
	err := r.each(data, func(f pbField) error {
		if !f.is(7, wireBytes) { // graph
			return nil
		}
		return r.each(f.b, func(f pbField) error {
			switch {
			case f.is(5, wireBytes): // initializer
				name, named, err := r.tensorName(f.b, nil, false)
				mark(name, named)
				return err
			case f.is(15, wireBytes): // sparse_initializer
				var name []byte
				var named bool
				err := r.each(f.b, func(f pbField) error {
					if f.is(1, wireBytes) { // values; its occurrences merge
						var err error
						name, named, err = r.tensorName(f.b, name, named)
						return err
					}
					return nil
				})
				mark(name, named)
				return err
			}
			return nil
		})
	})
	return used, err
}

// tensorName reads a TensorProto's name (field 8), the last one given; name and named carry
// an earlier occurrence's.
func (r *protoReader) tensorName(b []byte, name []byte, named bool) ([]byte, bool, error) {
	err := r.each(b, func(f pbField) error {
		if f.is(8, wireBytes) {
			name, named = f.b, true
		}
		return nil
	})
	return name, named, err
}
