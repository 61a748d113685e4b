package onnx

// The parts of the package that need no ONNX Runtime: what a model file declares, and how
// Hark reads it. They build without cgo (CGO_ENABLED=0), as the loader needs.

import (
	"fmt"
	"sort"
	"strings"
)

// Layout says how a model wants its feature tensor laid out.
type Layout int

const (
	// FeaturesByTime is [batch, features, time], as NeMo models take it.
	FeaturesByTime Layout = iota
	// TimeByFeatures is [batch, time, features], as Kaldi-style (icefall, k2) models take it.
	TimeByFeatures
)

func (l Layout) String() string {
	if l == TimeByFeatures {
		return "[batch, time, features]"
	}
	return "[batch, features, time]"
}

// Tensor describes one model input or output.
type Tensor struct {
	Name  string
	Shape []int64 // -1 for a dynamic dimension
	Type  string  // element type, e.g. "float32", "int64"
}

func (t Tensor) String() string {
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		if d < 0 {
			dims[i] = "?"
		} else {
			dims[i] = fmt.Sprint(d)
		}
	}
	return fmt.Sprintf("%s %s[%s]", t.Name, t.Type, strings.Join(dims, ","))
}

// Info is what Hark reads from a model file before running it.
type Info struct {
	Inputs, Outputs []Tensor
	Metadata        map[string]string

	FeatureInput string // name of the feature input
	LengthInput  string // name of the int64 length input, "" if none
	Layout       Layout
	NumFeatures  int // feature dimension, 0 if the model leaves it dynamic
	LogProbs     string
	Lengths      string // name of the int64 output-length output, "" if none
	VocabSize    int    // output dimension, 0 if dynamic
}

// Error reports a model file Hark cannot use.
type Error struct {
	Model string // file name, or "model" for in-memory data
	Msg   string
	Err   error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Model + ": " + e.Msg + ": " + e.Err.Error()
	}
	return e.Model + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// valueTensors describes the inputs or outputs that readONNX found. A value that is not a
// tensor gets ONNX Runtime's name for its kind (e.g. "ONNX_TYPE_SEQUENCE") as its Type.
func valueTensors(vs []onnxValue) []Tensor {
	out := make([]Tensor, len(vs))
	for i, v := range vs {
		t := Tensor{Name: v.name, Shape: append([]int64(nil), v.shape...)}
		if v.kind == kindTensor {
			t.Type = elemName(int(v.elem))
		} else {
			t.Type = kindName(v.kind)
		}
		out[i] = t
	}
	return out
}

// elemName names an ONNX tensor element type (TensorProto.DataType) as Hark prints it.
func elemName(t int) string {
	switch t {
	case 1:
		return "float32"
	case 7:
		return "int64"
	case 6:
		return "int32"
	case 10:
		return "float16"
	case 11:
		return "float64"
	}
	names := map[int]string{0: "undefined", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 8: "string", 9: "bool",
		12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16"}
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("element type %d", t)
}

// kindName names a value kind that is not a tensor as ONNX Runtime does (ONNXType).
func kindName(k int) string {
	names := map[int]string{0: "ONNX_TYPE_UNKNOWN", 1: "ONNX_TYPE_TENSOR", 2: "ONNX_TYPE_SEQUENCE", 3: "ONNX_TYPE_MAP",
		4: "ONNX_TYPE_OPAQUE", 5: "ONNX_TYPE_SPARSETENSOR", 6: "ONNX_TYPE_OPTIONAL"}
	if n, ok := names[k]; ok {
		return n
	}
	return fmt.Sprintf("ONNXType(%d)", k)
}

// Inspect reads a model's inputs, outputs and custom metadata and works out how to feed it.
// name labels errors (usually the file path). It reads what the model file declares
// (protoreader.go), which needs no ONNX Runtime session; the session that Open builds
// validates the rest of the model. Only where the file leaves to ONNX Runtime's type and
// shape inference something about the outputs that Hark needs does it ask ONNX Runtime.
func Inspect(name string, data []byte) (*Info, error) {
	m, err := readModel(name, data)
	if err != nil {
		return nil, err
	}
	info := &Info{Inputs: valueTensors(m.inputs), Outputs: valueTensors(m.outputs), Metadata: m.metadata}
	err = info.resolve()
	if leftToInference(m.outputs, info, err) {
		ins, outs, ierr := readIO(name, data)
		if ierr != nil {
			return nil, ierr
		}
		info = &Info{Inputs: tensorInfo(ins), Outputs: tensorInfo(outs), Metadata: m.metadata}
		err = info.resolve()
	}
	if err != nil {
		return nil, &Error{Model: name, Msg: err.Error()}
	}
	return info, nil
}

// leftToInference reports whether a model's file leaves to ONNX Runtime's type and shape
// inference what Inspect needs to know of its outputs: an output's type or shape, or, for a
// model it would accept, the log-prob output's vocabulary dimension. ONNX Runtime reports
// outputs with what it infers merged into what the file declares; inputs as declared.
func leftToInference(outs []onnxValue, info *Info, resolveErr error) bool {
	for _, v := range outs {
		if v.kind == kindUnknown || (v.kind == kindTensor && (v.elem == 0 || v.shape == nil)) {
			return true
		}
	}
	return resolveErr == nil && info.VocabSize == 0
}

// readModel reads a model's inputs, outputs and metadata, refusing a file that is not an ONNX
// model with a one-line error.
func readModel(name string, data []byte) (*modelIO, error) {
	if len(data) == 0 {
		return nil, &Error{Model: name, Msg: "empty file, not an ONNX model"}
	}
	m, err := readONNX(data)
	if err != nil {
		return nil, &Error{Model: name, Msg: "not a valid ONNX model", Err: err}
	}
	return m, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// resolve finds the feature and length inputs and the log-prob output, and refuses models
// whose inputs are not log-mel features.
func (info *Info) resolve() error {
	var floats3 []Tensor
	for _, t := range info.Inputs {
		switch {
		case t.Type == "float32" && len(t.Shape) == 3:
			floats3 = append(floats3, t)
		case t.Type == "int64" && len(t.Shape) == 1 && info.LengthInput == "":
			info.LengthInput = t.Name
		case t.Type == "float32" && len(t.Shape) == 2:
			return fmt.Errorf("input %s takes raw audio samples (a wav2vec2-style model); Hark runs CTC models that take log-mel features [batch, features, time], so this model is unsupported", t)
		}
	}
	if len(info.Inputs) > 2 || len(floats3) != 1 {
		return fmt.Errorf("inputs %v are not a CTC model's (one float32 feature tensor of rank 3 and an optional int64 length); encoder-decoder and transducer models are unsupported", info.Inputs)
	}
	if len(info.Inputs) == 2 && info.LengthInput == "" {
		return fmt.Errorf("second input %s is not an int64 length vector", otherInput(info.Inputs, floats3[0].Name))
	}
	fi := floats3[0]
	info.FeatureInput = fi.Name
	info.NumFeatures = 0
	switch {
	case fi.Name == "audio_signal" || (fi.Shape[1] > 0 && fi.Shape[2] < 0):
		info.Layout, info.NumFeatures = FeaturesByTime, int(fi.Shape[1])
	case fi.Shape[2] > 0 && fi.Shape[1] < 0:
		info.Layout, info.NumFeatures = TimeByFeatures, int(fi.Shape[2])
	default:
		info.Layout = FeaturesByTime
		if fi.Shape[1] > 0 {
			info.NumFeatures = int(fi.Shape[1])
		}
	}
	if info.NumFeatures < 0 {
		info.NumFeatures = 0
	}
	for _, t := range info.Outputs {
		switch {
		case t.Type == "float32" && len(t.Shape) == 3 && info.LogProbs == "":
			info.LogProbs = t.Name
			if t.Shape[2] > 0 {
				info.VocabSize = int(t.Shape[2])
			}
		case t.Type == "int64" && len(t.Shape) == 1 && info.Lengths == "":
			info.Lengths = t.Name
		}
	}
	if info.LogProbs == "" {
		return fmt.Errorf("no float32 output of rank 3 [batch, time, vocabulary] among %v; not a CTC model", info.Outputs)
	}
	return nil
}

func otherInput(ts []Tensor, not string) Tensor {
	for _, t := range ts {
		if t.Name != not {
			return t
		}
	}
	return Tensor{}
}

// Options configures an Engine. The zero value means one intra-op thread and no cache.
type Options struct {
	Threads int // ONNX Runtime intra-op threads; 0 means 1
	// CacheDir, if set, keeps ONNX Runtime's optimised form of each model there, keyed by the
	// model's content, the ONNX Runtime version and the CPU's features: the first session
	// writes it, later ones load it without redoing the graph optimisation (about 370 → 135 ms
	// for the default model).
	CacheDir string
}

// MetadataKeys returns the model's custom metadata keys in sorted order.
func (info *Info) MetadataKeys() []string {
	keys := make([]string, 0, len(info.Metadata))
	for k := range info.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
