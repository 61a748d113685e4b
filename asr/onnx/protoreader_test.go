//go:build cgo

package onnx

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	ort "github.com/yalue/onnxruntime_go"
)

type modelFile struct {
	name string
	data []byte
}

// modelFiles returns every ONNX model the repository holds: the .onnx files under
// testdata/models (bad and import included), the ones inside its .tar.gz, .tar.bz2 and .zip
// archives, the default model and the VAD models.
func modelFiles(t testing.TB) []modelFile {
	t.Helper()
	var files []modelFile
	add := func(name string, data []byte) { files = append(files, modelFile{name, data}) }
	err := filepath.WalkDir(fixtures, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch {
		case strings.HasSuffix(path, ".onnx"):
			b, err := os.ReadFile(path)
			add(path, b)
			return err
		case strings.HasSuffix(path, ".tar.gz"), strings.HasSuffix(path, ".tar.bz2"):
			return archiveModels(path, add)
		case strings.HasSuffix(path, ".zip"):
			zr, err := zip.OpenReader(path)
			if err != nil {
				return err
			}
			defer zr.Close()
			for _, f := range zr.File {
				if strings.HasSuffix(f.Name, ".onnx") {
					rc, err := f.Open()
					if err != nil {
						return err
					}
					b, err := io.ReadAll(rc)
					rc.Close()
					if err != nil {
						return err
					}
					add(path+":"+f.Name, b)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	vads, _ := filepath.Glob("../../models/vad/*.onnx")
	for _, p := range append([]string{defaultModel}, vads...) {
		if b, err := os.ReadFile(p); err == nil {
			add(p, b)
		}
	}
	return files
}

func archiveModels(path string, add func(string, []byte)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			return err
		}
	} else {
		r = bzip2.NewReader(f)
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if strings.HasSuffix(h.Name, ".onnx") {
			b, err := io.ReadAll(tr)
			if err != nil {
				return err
			}
			add(path+":"+h.Name, b)
		}
	}
}

// view is a model's inputs, outputs and metadata as Inspect sees them.
type view struct {
	Inputs, Outputs []Tensor
	Metadata        map[string]string
}

// ortView asks ONNX Runtime, as Inspect did before it read models itself.
func ortView(data []byte) (*view, error) {
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		return nil, err
	}
	conv := func(x []ort.InputOutputInfo) []Tensor {
		ts := make([]Tensor, len(x))
		for i, io := range x {
			ts[i] = Tensor{Name: io.Name, Shape: slices.Clone([]int64(io.Dimensions))}
			if io.OrtValueType == ort.ONNXTypeTensor {
				ts[i].Type = elemType(io.DataType)
			} else {
				ts[i].Type = io.OrtValueType.String()
			}
		}
		return normalize(ts)
	}
	v := &view{Inputs: conv(ins), Outputs: conv(outs), Metadata: map[string]string{}}
	md, err := ort.GetModelMetadataWithONNXData(data)
	if err != nil {
		return nil, err
	}
	defer md.Destroy()
	keys, err := md.GetCustomMetadataMapKeys()
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		val, ok, err := md.LookupCustomMetadataMap(k)
		if err != nil || !ok {
			return nil, fmt.Errorf("metadata %q: %v %v", k, ok, err)
		}
		v.Metadata[k] = val
	}
	return v, nil
}

// goView reads the model with the Go reader.
func goView(data []byte) (*view, error) {
	m, err := readONNX(data)
	if err != nil {
		return nil, err
	}
	return &view{Inputs: normalize(valueTensors(m.inputs)), Outputs: normalize(valueTensors(m.outputs)), Metadata: m.metadata}, nil
}

// normalize makes empty lists and shapes nil, so that views compare with reflect.DeepEqual.
func normalize(ts []Tensor) []Tensor {
	if len(ts) == 0 {
		return nil
	}
	for i := range ts {
		if len(ts[i].Shape) == 0 {
			ts[i].Shape = nil
		}
	}
	return ts
}

func (v *view) String() string {
	keys := slices.Sorted(maps.Keys(v.Metadata))
	var md []string
	for _, k := range keys {
		md = append(md, k+"="+v.Metadata[k])
	}
	return fmt.Sprintf("in %v out %v metadata [%s]", v.Inputs, v.Outputs, strings.Join(md, " "))
}

// complete reports whether the file declares a value's type fully (element type and shape
// of a tensor); where it does not, ONNX Runtime reports what its inference finds.
func complete(v onnxValue) bool {
	return v.kind != kindUnknown && (v.kind != kindTensor || (v.elem != 0 && v.shape != nil))
}

// refines reports whether ONNX Runtime's shape for an output is the declared one, with
// dynamic dimensions its inference fixed, or no shape at all (ONNX Runtime drops a declared
// shape that contradicts its inference).
func refines(ortShape, declared []int64) bool {
	if len(ortShape) == 0 {
		return true
	}
	if len(ortShape) != len(declared) {
		return false
	}
	for i, d := range declared {
		if d != ortShape[i] && d != -1 {
			return false
		}
	}
	return true
}

// compareWithORT checks the Go reader against ONNX Runtime on one model: where ONNX Runtime
// reads it, the Go reader reads the same inputs and metadata, the same outputs by name and,
// where the file declares them, by type, with the declared shapes (which ONNX Runtime may
// refine by inference). Then Inspect must come to the same decision as when it asked ONNX
// Runtime (oldInspect). It returns how each judged the file.
func compareWithORT(t *testing.T, name string, data []byte) (ortOK, goOK bool) {
	t.Helper()
	want, oerr := ortView(data)
	got, gerr := goView(data)
	switch {
	case oerr == nil && gerr != nil:
		t.Errorf("%s: ONNX Runtime reads %v, the Go reader fails: %v", name, want, gerr)
		return true, false
	case oerr == nil && reflect.DeepEqual(got, want):
		t.Logf("%s: both read %v", name, got)
	case oerr == nil:
		m, _ := readONNX(data)
		ok := reflect.DeepEqual(got.Inputs, want.Inputs) && reflect.DeepEqual(got.Metadata, want.Metadata) && len(got.Outputs) == len(want.Outputs)
		for i := 0; ok && i < len(got.Outputs); i++ {
			g, w := got.Outputs[i], want.Outputs[i]
			ok = g.Name == w.Name && (!complete(m.outputs[i]) || (g.Type == w.Type && refines(w.Shape, g.Shape)))
		}
		if !ok {
			t.Errorf("%s:\nGo reader    %v\nONNX Runtime %v", name, got, want)
		} else {
			t.Logf("%s: outputs as declared %v, as ONNX Runtime infers them %v", name, got.Outputs, want.Outputs)
		}
	case gerr != nil:
		t.Logf("%s: both refuse it (ONNX Runtime: %s; Go: %v)", name, firstLine(oerr.Error()), gerr)
	default:
		t.Logf("%s: ONNX Runtime refuses it (%s); the Go reader reads %v", name, firstLine(oerr.Error()), got)
	}

	info, err := Inspect(name, data)
	old, oldErr := oldInspect(name, data)
	switch {
	case (err == nil) != (oldErr == nil) && oerr != nil:
		t.Logf("%s: Inspect accepts it; Open's session will refuse it", name)
	case (err == nil) != (oldErr == nil):
		t.Errorf("%s: Inspect says %v, with ONNX Runtime's view it said %v", name, err, oldErr)
	case err != nil:
		t.Logf("%s: Inspect refuses it: %v (with ONNX Runtime's view: %v)", name, err, oldErr)
	default:
		key := func(i *Info) string {
			var outs []string
			for _, o := range i.Outputs {
				outs = append(outs, o.Name)
			}
			return fmt.Sprintf("%v %v %v %s %s %v %d %s %s %d", i.Inputs, outs, i.Metadata, i.FeatureInput, i.LengthInput, i.Layout, i.NumFeatures, i.LogProbs, i.Lengths, i.VocabSize)
		}
		if key(info) != key(old) {
			t.Errorf("%s: Inspect gives\n%+v\nwith ONNX Runtime's view it gave\n%+v", name, info, old)
		}
	}
	return oerr == nil, gerr == nil
}

// oldInspect is Inspect as it was before the Go reader: ONNX Runtime's view, then resolve.
func oldInspect(name string, data []byte) (*Info, error) {
	v, err := ortView(data)
	if err != nil {
		return nil, err
	}
	info := &Info{Inputs: v.Inputs, Outputs: v.Outputs, Metadata: v.Metadata}
	if err := info.resolve(); err != nil {
		return nil, &Error{Model: name, Msg: err.Error()}
	}
	return info, nil
}

func TestReaderMatchesORTOnModelFiles(t *testing.T) {
	requireORT(t)
	files := modelFiles(t)
	if len(files) < 10 {
		t.Fatalf("found only %d model files", len(files))
	}
	for _, f := range files {
		compareWithORT(t, f.name, f.data)
	}
}

// Builders of ONNX protobuf pieces for synthetic models (on top of protowriter.go's).

// dims: an int64 is a dim_value, a string a dim_param, nil a dimension with neither.
func tensorType(elem int, dims ...any) []byte {
	var shape pbuf
	for _, d := range dims {
		var dim pbuf
		switch d := d.(type) {
		case int:
			dim = dim.varint(1, uint64(int64(d)))
		case string:
			dim = dim.str(2, d)
		}
		shape = shape.bytes(1, dim)
	}
	var tt pbuf
	tt = tt.varint(1, uint64(elem)).bytes(2, shape)
	var typ pbuf
	return typ.bytes(1, tt)
}

func noShapeType(elem int) []byte {
	var tt, typ pbuf
	return typ.bytes(1, tt.varint(1, uint64(elem)))
}

// wrapType puts a TypeProto inside a sequence (field 4) or optional (9) type.
func wrapType(field int, elem []byte) []byte {
	var w, typ pbuf
	return typ.bytes(field, w.bytes(1, elem))
}

func valueInfo(name string, typ []byte) []byte {
	var b pbuf
	b = b.str(1, name)
	if typ != nil {
		b = b.bytes(2, typ)
	}
	return b
}

type synth struct {
	ir, opset       int // 0: left out
	nodes, inits    [][]byte
	sparse          [][]byte
	inputs, outputs [][]byte
	metadata        [][2]string
	split           bool // the graph in two GraphProto fields, which protobuf merges
	extra           []byte
}

func (s synth) bytes() []byte {
	var g, g2 pbuf
	for _, n := range s.nodes {
		g = g.bytes(1, n)
	}
	g = g.str(2, "synth")
	for _, x := range s.inits {
		g = g.bytes(5, x)
	}
	for _, x := range s.sparse {
		g = g.bytes(15, x)
	}
	for _, x := range s.inputs {
		g = g.bytes(11, x)
	}
	out := &g
	if s.split {
		out = &g2
	}
	for _, x := range s.outputs {
		*out = out.bytes(12, x)
	}
	var m pbuf
	if s.ir > 0 {
		m = m.varint(1, uint64(s.ir))
	}
	m = m.str(2, "hark-test")
	if s.opset > 0 {
		var op pbuf
		m = m.bytes(8, op.str(1, "").varint(2, uint64(s.opset)))
	}
	m = m.bytes(7, g)
	if s.split {
		m = m.bytes(7, g2)
	}
	for _, kv := range s.metadata {
		var e pbuf
		m = m.bytes(14, e.str(1, kv[0]).str(2, kv[1]))
	}
	return append(m, s.extra...)
}

func identity(in, out string) []byte { return onnxNode("Identity", out, []string{in}, []string{out}) }

const (
	onnxInt64   = 7
	onnxString  = 8
	onnxBool    = 9
	onnxFloat16 = 10
	onnxDouble  = 11
	onnxBF16    = 16
)

// synthModels are small models that exercise what the reader must get right, each as ONNX
// Runtime reads it.
func synthModels() map[string][]byte {
	transpose := pbuf(onnxNode("Transpose", "y", []string{"x"}, []string{"y"})).bytes(5, pbuf(nil).str(1, "perm").varint(8, 0).varint(8, 2).varint(8, 1).varint(20, 7))
	ctc := synth{ir: 8, opset: 17,
		nodes:   [][]byte{transpose, identity("len", "len_out")},
		inputs:  [][]byte{valueInfo("x", tensorType(onnxFloat, "batch", 80, nil)), valueInfo("len", tensorType(onnxInt64, "batch"))},
		outputs: [][]byte{valueInfo("y", tensorType(onnxFloat, "batch", "T", 80)), valueInfo("len_out", tensorType(onnxInt64, "batch"))},
		metadata: [][2]string{{"model_type", "EncDecCTCModel"}, {"vocab_size", "29"}, {"dup", "first"}, {"dup", "second"},
			{"", "empty key"}, {"empty value", ""}, {"utf8 ключ", "значение ✓"}},
	}
	m := map[string][]byte{"ctc-like": ctc.bytes()}

	s := ctc
	s.split = true
	m["graph split in two fields"] = s.bytes()

	s = ctc
	s.extra = pbuf(nil).str(99, "unknown field").varint(100, 7)
	m["unknown top-level fields"] = s.bytes()

	// A known field with another wire type is an unknown field to protobuf.
	s = ctc
	s.inputs = [][]byte{append(pbuf(nil).varint(1, 5).varint(2, 3), valueInfo("x", tensorType(onnxFloat, 1, 80, "T"))...), s.inputs[1]}
	m["fields with unexpected wire types"] = s.bytes()

	// Repeated occurrences of a message field merge: [1] and [80, T] make [1, 80, T].
	var tt1, tt2, typ, sh1, sh2 pbuf
	tt1 = tt1.varint(1, onnxInt64).bytes(2, sh1.bytes(1, pbuf(nil).varint(1, 1)))
	tt2 = tt2.varint(1, onnxFloat).bytes(2, sh2.bytes(1, pbuf(nil).varint(1, 80)).bytes(1, pbuf(nil).str(2, "T")))
	typ = typ.bytes(1, tt1).bytes(1, tt2)
	s = ctc
	s.inputs = [][]byte{append(valueInfo("ignored", typ), pbuf(nil).str(1, "x")...), s.inputs[1]}
	m["merged type and renamed input"] = s.bytes()

	s = ctc
	s.inputs = [][]byte{valueInfo("x", noShapeType(onnxFloat)), s.inputs[1]}
	s.outputs = [][]byte{valueInfo("y", noShapeType(onnxFloat)), s.outputs[1]}
	m["no shapes"] = s.bytes()

	s = ctc
	s.inputs = [][]byte{valueInfo("x", tensorType(onnxFloat)), valueInfo("len", tensorType(onnxInt64))}
	s.outputs = [][]byte{valueInfo("y", tensorType(onnxFloat)), valueInfo("len_out", tensorType(onnxInt64))}
	m["rank 0"] = s.bytes()

	s = ctc
	s.outputs = [][]byte{valueInfo("y", nil), valueInfo("len_out", nil)}
	m["outputs without types"] = s.bytes()

	s = ctc
	s.inputs = [][]byte{valueInfo("x", nil), s.inputs[1]}
	m["input without type"] = s.bytes()

	s = ctc
	s.inputs = [][]byte{valueInfo("x", tensorType(onnxFloat, -3, 80, 0)), s.inputs[1]}
	s.outputs = [][]byte{valueInfo("y", tensorType(onnxFloat, -3, 0, 80)), s.outputs[1]}
	m["negative and zero dims"] = s.bytes()

	for _, ir := range []int{3, 8} {
		s = synth{ir: ir, opset: 9,
			nodes:   [][]byte{onnxNode("Add", "add", []string{"x", "w"}, []string{"y"})},
			inits:   [][]byte{onnxTensor("w", onnxFloat, []int64{80}, float32Raw(make([]float32, 80)))},
			inputs:  [][]byte{valueInfo("w", tensorType(onnxFloat, 80)), valueInfo("x", tensorType(onnxFloat, 1, "T", 80))},
			outputs: [][]byte{valueInfo("y", tensorType(onnxFloat, 1, "T", 80))},
		}
		m[fmt.Sprintf("IR %d, an initializer listed as input", ir)] = s.bytes()
	}

	var sp pbuf
	sp = sp.bytes(1, onnxTensor("w", onnxFloat, []int64{1}, float32Raw([]float32{2}))).
		bytes(2, onnxTensor("", onnxInt64, []int64{1}, make([]byte, 8))).varint(3, 80)
	s = synth{ir: 8, opset: 13,
		nodes:   [][]byte{onnxNode("Add", "add", []string{"x", "w"}, []string{"y"})},
		sparse:  [][]byte{sp},
		inputs:  [][]byte{valueInfo("x", tensorType(onnxFloat, 1, "T", 80)), valueInfo("w", tensorType(onnxFloat, 80))},
		outputs: [][]byte{valueInfo("y", tensorType(onnxFloat, 1, "T", 80))},
	}
	m["a sparse initializer listed as input"] = s.bytes()

	var ins, outs, nodes [][]byte
	for i, e := range []int{onnxInt64, onnxInt32, onnxFloat16, onnxDouble, onnxUint8, onnxInt8, onnxBool, onnxString, onnxBF16} {
		in, out := fmt.Sprint("in", i), fmt.Sprint("out", i)
		ins = append(ins, valueInfo(in, tensorType(e, 2, "n")))
		outs = append(outs, valueInfo(out, tensorType(e, 2, "n")))
		nodes = append(nodes, identity(in, out))
	}
	m["element types"] = synth{ir: 8, opset: 17, nodes: nodes, inputs: ins, outputs: outs}.bytes()

	seq := wrapType(4, tensorType(onnxFloat, "n"))
	m["sequence input and output"] = synth{ir: 8, opset: 17, nodes: [][]byte{identity("s", "t")},
		inputs: [][]byte{valueInfo("s", seq)}, outputs: [][]byte{valueInfo("t", seq)}}.bytes()
	opt := wrapType(9, tensorType(onnxFloat, "n"))
	m["optional input and output"] = synth{ir: 8, opset: 17, nodes: [][]byte{identity("s", "t")},
		inputs: [][]byte{valueInfo("s", opt)}, outputs: [][]byte{valueInfo("t", opt)}}.bytes()
	var mt pbuf
	mt = mt.varint(1, onnxInt64).bytes(2, tensorType(onnxFloat))
	mapType := pbuf(nil).bytes(5, mt)
	m["map input"] = synth{ir: 8, opset: 17, nodes: [][]byte{identity("s", "t")},
		inputs: [][]byte{valueInfo("s", mapType)}, outputs: [][]byte{valueInfo("t", mapType)}}.bytes()
	// A tensor type replaced by a sequence type: the last member of the oneof wins.
	both := append(tensorType(onnxFloat, 1, 80, "T"), seq...)
	m["tensor type then sequence type"] = synth{ir: 8, opset: 17, nodes: [][]byte{identity("s", "t")},
		inputs: [][]byte{valueInfo("s", both)}, outputs: [][]byte{valueInfo("t", seq)}}.bytes()

	s = ctc
	s.ir = 0
	m["no IR version"] = s.bytes()
	s = ctc
	s.opset = 0
	m["no opset"] = s.bytes()
	m["no graph"] = pbuf(nil).varint(1, 8).str(2, "x")
	return m
}

func TestReaderMatchesORTOnSyntheticModels(t *testing.T) {
	requireORT(t)
	models := synthModels()
	for _, name := range slices.Sorted(maps.Keys(models)) {
		ortOK, _ := compareWithORT(t, name, models[name])
		if !ortOK && (name == "ctc-like" || strings.Contains(name, "merged") || strings.Contains(name, "split") || strings.Contains(name, "initializer")) {
			t.Errorf("%s: ONNX Runtime refuses a model this test means to be valid", name)
		}
	}
}

func TestReaderRefusesMalformed(t *testing.T) {
	valid := synthModels()["ctc-like"]
	cases := map[string][]byte{
		"empty":                 {},
		"text":                  []byte("this is not an ONNX model\n"),
		"truncated varint":      {0x08},
		"truncated tag":         {0x80},
		"varint overflow":       append([]byte{0x08}, bytes.Repeat([]byte{0xff}, 11)...),
		"length past the end":   {0x08, 0x08, 0x3a, 0x05, 0x00},
		"huge length":           {0x08, 0x08, 0x3a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
		"field number zero":     {0x00, 0x01},
		"group":                 {0x08, 0x08, 0x3b, 0x3c},
		"wire type 6":           {0x08, 0x08, 0x3e},
		"truncated fixed64":     {0x08, 0x08, 0x09, 1, 2, 3},
		"truncated fixed32":     {0x08, 0x08, 0x0d, 1, 2, 3},
		"truncated model":       valid[:len(valid)-1],
		"bad nested value info": pbuf(nil).varint(1, 8).bytes(7, pbuf(nil).bytes(11, []byte{0x0a, 0x09, 'x'})),
	}
	if def, err := os.ReadFile(defaultModel); err == nil {
		cases["default model cut in half"] = def[:len(def)/2]
		cases["default model less its last byte"] = def[:len(def)-1]
	}
	for name, data := range cases {
		if m, err := readONNX(data); err == nil {
			t.Errorf("%s: read %+v", name, m)
		}
	}
	// Inspect gives the same one-line error as before for all of them.
	for name, data := range cases {
		_, err := Inspect("m.onnx", data)
		var e *Error
		if !errors.As(err, &e) || e.Model != "m.onnx" || (e.Msg != "not a valid ONNX model" && len(data) > 0) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: Inspect error %v", name, err)
		}
	}
}

func TestReaderCaps(t *testing.T) {
	var g pbuf
	for i := 0; i <= maxValues; i++ {
		g = g.bytes(12, valueInfo("y", nil))
	}
	if _, err := readONNX(pbuf(nil).varint(1, 8).bytes(7, g)); err == nil {
		t.Error("read more than maxValues outputs")
	}
	dims := make([]any, maxRank+1)
	if _, err := readONNX(pbuf(nil).varint(1, 8).bytes(7, pbuf(nil).bytes(11, valueInfo("x", tensorType(onnxFloat, dims...))))); err == nil {
		t.Error("read a tensor of rank above maxRank")
	}
}

// TestInspectNeedsNoSession checks that Inspect reads every model that Hark accepts among
// the repository's files (the default model first) without asking ONNX Runtime.
func TestInspectNeedsNoSession(t *testing.T) {
	if _, err := os.Stat(defaultModel); err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, f := range modelFiles(t) {
		m, err := readONNX(f.data)
		if err != nil {
			continue
		}
		info := &Info{Inputs: valueTensors(m.inputs), Outputs: valueTensors(m.outputs), Metadata: m.metadata}
		err = info.resolve()
		if leftToInference(m.outputs, info, err) {
			t.Errorf("%s: Inspect would ask ONNX Runtime", f.name)
		}
		if err == nil {
			accepted++
			t.Logf("%s: %v → %v (%s, %d features, vocabulary %d)", f.name, info.Inputs, info.Outputs, info.Layout, info.NumFeatures, info.VocabSize)
		}
	}
	if accepted < 5 {
		t.Errorf("only %d models accepted", accepted)
	}
}

// TestInspectAsksORTForInferredOutputs checks the one case where Inspect still asks ONNX
// Runtime: outputs whose types the file leaves to inference.
func TestInspectAsksORTForInferredOutputs(t *testing.T) {
	requireORT(t)
	data := synthModels()["outputs without types"]
	m, err := readONNX(data)
	if err != nil {
		t.Fatal(err)
	}
	info := &Info{Inputs: valueTensors(m.inputs), Outputs: valueTensors(m.outputs), Metadata: m.metadata}
	if err := info.resolve(); err == nil || !leftToInference(m.outputs, info, err) {
		t.Fatalf("declared outputs %v: resolve %v", info.Outputs, err)
	}
	info, err = Inspect("m.onnx", data)
	if err != nil {
		t.Fatal(err)
	}
	if info.LogProbs != "y" || info.VocabSize != 80 || info.Lengths != "len_out" || info.Metadata["vocab_size"] != "29" {
		t.Errorf("%+v", info)
	}
}

// FuzzReadONNX feeds the reader mutations of every model file and of the synthetic models:
// it must not panic, must do work linear in the input, and what it returns must be bounded
// by the input and acceptable to resolve.
func FuzzReadONNX(f *testing.F) {
	var seeds [][]byte
	for _, m := range modelFiles(f) {
		seeds = append(seeds, m.data)
	}
	for _, d := range synthModels() {
		seeds = append(seeds, d)
	}
	for _, d := range seeds {
		// Larger files only by their first KiB: the fuzzer minimises each new input in time
		// quadratic in its size (up to -fuzzminimizetime, 60 s by default), and a few KiB
		// already take it the whole minute. The small files and synthetic models are whole
		// models.
		if len(d) > 1024 {
			f.Add(d[:1024])
			f.Add(d[:256])
			continue
		}
		f.Add(d)
		for _, n := range []int{len(d) / 2, len(d) - 1} {
			if n >= 0 {
				f.Add(d[:n])
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r protoReader
		m, err := r.model(data)
		if r.fields > 6*len(data) {
			t.Fatalf("visited %d fields in %d bytes", r.fields, len(data))
		}
		if err != nil {
			return
		}
		n := len(m.inputs) + len(m.outputs) + len(m.metadata)
		for _, vs := range [][]onnxValue{m.inputs, m.outputs} {
			for _, v := range vs {
				n += len(v.shape)
			}
		}
		if 2*n > len(data) {
			t.Fatalf("%d values from %d bytes", n, len(data))
		}
		info := &Info{Inputs: valueTensors(m.inputs), Outputs: valueTensors(m.outputs), Metadata: m.metadata}
		_ = info.resolve()
	})
}
