//go:build cgo

package onnx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	ort "github.com/yalue/onnxruntime_go"

	"hark/asr"
	"hark/internal/regfile"
	"hark/internal/trace"
)

func tensorInfo(in []ort.InputOutputInfo) []Tensor {
	out := make([]Tensor, len(in))
	for i, x := range in {
		t := Tensor{Name: x.Name, Shape: append([]int64(nil), x.Dimensions...)}
		if x.OrtValueType == ort.ONNXTypeTensor {
			t.Type = elemType(x.DataType)
		} else {
			t.Type = x.OrtValueType.String()
		}
		out[i] = t
	}
	return out
}

func elemType(t ort.TensorElementDataType) string {
	switch t {
	case ort.TensorElementDataTypeFloat:
		return "float32"
	case ort.TensorElementDataTypeInt64:
		return "int64"
	case ort.TensorElementDataTypeInt32:
		return "int32"
	case ort.TensorElementDataTypeFloat16:
		return "float16"
	case ort.TensorElementDataTypeDouble:
		return "float64"
	}
	return strings.ToLower(strings.TrimPrefix(t.String(), "ONNX_TENSOR_ELEMENT_DATA_TYPE_"))
}

// readIO asks ONNX Runtime for a model's inputs and outputs, which costs a throwaway session.
func readIO(name string, data []byte) (ins, outs []ort.InputOutputInfo, err error) {
	if err := Init(); err != nil {
		return nil, nil, err
	}
	ins, outs, err = ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		return nil, nil, &Error{Model: name, Msg: "not a valid ONNX model", Err: errors.New(firstLine(err.Error()))}
	}
	return ins, outs, nil
}

// sessionOptions makes session options with the given intra-op threads and one inter-op
// thread; the caller destroys them.
func sessionOptions(name string, threads int) (*ort.SessionOptions, error) {
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, &Error{Model: name, Msg: "session options", Err: err}
	}
	if err := errors.Join(so.SetIntraOpNumThreads(threads), so.SetInterOpNumThreads(1)); err != nil {
		so.Destroy()
		return nil, &Error{Model: name, Msg: "setting threads", Err: err}
	}
	return so, nil
}

// Engine runs one CTC model. It is safe for concurrent use: ONNX Runtime sessions accept
// concurrent Run calls, and each call allocates its own tensors.
type Engine struct {
	name string
	info *Info
	sess *ort.DynamicAdvancedSession
}

// OpenFile loads a model from a file.
func OpenFile(path string, opts Options) (*Engine, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Model: path, Msg: "cannot read model", Err: err}
	}
	return Open(path, data, opts)
}

// Open loads a model from memory; name labels errors.
func Open(name string, data []byte, opts Options) (*Engine, error) {
	if err := Init(); err != nil {
		return nil, err
	}
	trace.Mark("onnxruntime-loaded")
	info, err := Inspect(name, data)
	if err != nil {
		return nil, err
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = 1
	}
	// A quantised model is run only where ONNX Runtime's int8 products are exact (int8check.go).
	if quantised(data) && !int8Passed(opts.CacheDir, threads) {
		if err := CheckInt8(threads); err != nil {
			return nil, err
		}
		markInt8Passed(opts.CacheDir, threads)
	}
	trace.Mark("int8-checked")
	so, err := sessionOptions(name, threads)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	in := []string{info.FeatureInput}
	if info.LengthInput != "" {
		in = append(in, info.LengthInput)
	}
	out := []string{info.LogProbs}
	if info.Lengths != "" {
		out = append(out, info.Lengths)
	}
	var tmp, final string
	if opts.CacheDir != "" {
		final = optimisedPath(opts.CacheDir, data) // hashes the model: once per Open
		if sess := openCached(final, in, out, threads); sess != nil {
			trace.Mark("session-from-cache")
			return &Engine{name: name, info: info, sess: sess}, nil
		}
		if err := os.MkdirAll(filepath.Dir(final), 0o700); err == nil {
			tmp = fmt.Sprintf("%s.tmp%d", final, os.Getpid())
			if err := so.SetOptimizedModelFilePath(tmp); err != nil {
				tmp = ""
			}
		}
	}
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(data, in, out, so)
	if err != nil {
		if tmp != "" {
			os.Remove(tmp)
		}
		return nil, &Error{Model: name, Msg: "ONNX Runtime cannot load it", Err: errors.New(firstLine(err.Error()))}
	}
	if tmp != "" {
		if od, err := os.ReadFile(tmp); err == nil && len(od) > 0 {
			// The checksum goes first: an entry without a matching one is never used.
			sum := sha256.Sum256(od)
			if os.WriteFile(final+".sha256", []byte(hex.EncodeToString(sum[:])), 0o600) == nil {
				_ = os.Rename(tmp, final)
			}
		}
		os.Remove(tmp)
	}
	trace.Mark("session")
	return &Engine{name: name, info: info, sess: sess}, nil
}

// optimisedPath is where the optimised form of a model is cached: its name hashes the model,
// the ONNX Runtime version and the CPU's features (the optimised graph may use kernels and
// layouts chosen for this CPU).
func optimisedPath(dir string, data []byte) string {
	h := sha256.New()
	h.Write(data)
	fmt.Fprintf(h, "\x00ort %s\x00cpu %s\x00v1", ort.GetVersion(), ReadCPU())
	return filepath.Join(dir, fmt.Sprintf("%x.optimised.onnx", h.Sum(nil)[:16]))
}

// openCached opens the cached optimised form of a model (at p, from optimisedPath) with graph
// optimisation off, or
// returns nil: no cache entry, or a damaged one (its checksum does not match, it is not a
// regular file, or ONNX Runtime refuses it), which is then removed.
func openCached(p string, in, out []string, threads int) *ort.DynamicAdvancedSession {
	drop := func() { os.Remove(p); os.Remove(p + ".sha256") }
	f, err := regfile.Open(p) // a FIFO must not hang the start
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			drop()
		}
		return nil
	}
	od, err := io.ReadAll(io.LimitReader(f, 1<<30))
	f.Close()
	want, serr := os.ReadFile(p + ".sha256")
	sum := sha256.Sum256(od)
	if err != nil || serr != nil || string(want) != hex.EncodeToString(sum[:]) {
		drop() // a damaged entry would give wrong text silently
		return nil
	}
	so, err := sessionOptions(p, threads)
	if err != nil {
		return nil
	}
	defer so.Destroy()
	if so.SetGraphOptimizationLevel(ort.GraphOptimizationLevelDisableAll) != nil {
		return nil
	}
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(od, in, out, so)
	if err != nil {
		drop()
		return nil
	}
	return sess
}

// Info describes the loaded model.
func (e *Engine) Info() *Info { return e.info }

// Run maps features (Rows = frames, Cols = feature bins) to per-frame model outputs
// (Rows = output frames, Cols = vocabulary).
func (e *Engine) Run(ctx context.Context, feats asr.Matrix) (asr.Matrix, error) {
	if err := ctx.Err(); err != nil {
		return asr.Matrix{}, err
	}
	if e.info.NumFeatures > 0 && feats.Cols != e.info.NumFeatures {
		return asr.Matrix{}, &Error{Model: e.name, Msg: fmt.Sprintf("model takes %d features per frame, front-end gives %d", e.info.NumFeatures, feats.Cols)}
	}
	if feats.Rows == 0 {
		return asr.Matrix{Cols: e.info.VocabSize}, nil
	}
	T, F := int64(feats.Rows), int64(feats.Cols)
	var x *ort.Tensor[float32]
	var err error
	if e.info.Layout == FeaturesByTime {
		buf := make([]float32, len(feats.Data))
		for t := 0; t < feats.Rows; t++ {
			row := feats.Row(t)
			for f, v := range row {
				buf[int64(f)*T+int64(t)] = v
			}
		}
		x, err = ort.NewTensor(ort.NewShape(1, F, T), buf)
	} else {
		x, err = ort.NewTensor(ort.NewShape(1, T, F), feats.Data)
	}
	if err != nil {
		return asr.Matrix{}, &Error{Model: e.name, Msg: "input tensor", Err: err}
	}
	defer x.Destroy()
	inputs := []ort.Value{x}
	if e.info.LengthInput != "" {
		l, err := ort.NewTensor(ort.NewShape(1), []int64{T})
		if err != nil {
			return asr.Matrix{}, &Error{Model: e.name, Msg: "length tensor", Err: err}
		}
		defer l.Destroy()
		inputs = append(inputs, l)
	}
	outputs := make([]ort.Value, 1, 2)
	if e.info.Lengths != "" {
		outputs = outputs[:2]
	}
	if err := e.runCtx(ctx, inputs, outputs); err != nil {
		return asr.Matrix{}, err
	}
	for _, o := range outputs {
		if o != nil {
			defer o.Destroy()
		}
	}
	lp, ok := outputs[0].(*ort.Tensor[float32])
	if !ok {
		return asr.Matrix{}, &Error{Model: e.name, Msg: fmt.Sprintf("output %s is not a float32 tensor", e.info.LogProbs)}
	}
	shape := lp.GetShape()
	if len(shape) != 3 || shape[0] != 1 {
		return asr.Matrix{}, &Error{Model: e.name, Msg: fmt.Sprintf("output %s has shape %v, want [1, time, vocabulary]", e.info.LogProbs, shape)}
	}
	rows, cols := int(shape[1]), int(shape[2])
	if len(outputs) == 2 {
		if ln, ok := outputs[1].(*ort.Tensor[int64]); ok && len(ln.GetData()) == 1 {
			if n := int(ln.GetData()[0]); n >= 0 && n < rows {
				rows = n
			}
		}
	}
	data := make([]float32, rows*cols)
	copy(data, lp.GetData()[:rows*cols])
	return asr.Matrix{Rows: rows, Cols: cols, Data: data}, nil
}

func (e *Engine) runCtx(ctx context.Context, inputs, outputs []ort.Value) error {
	if ctx.Done() == nil {
		if err := e.sess.Run(inputs, outputs); err != nil {
			return &Error{Model: e.name, Msg: "inference failed", Err: errors.New(firstLine(err.Error()))}
		}
		return nil
	}
	ro, err := ort.NewRunOptions()
	if err != nil {
		return &Error{Model: e.name, Msg: "run options", Err: err}
	}
	defer ro.Destroy()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			_ = ro.Terminate()
		case <-done:
		}
	}()
	if err := e.sess.RunWithOptions(inputs, outputs, ro); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &Error{Model: e.name, Msg: "inference failed", Err: errors.New(firstLine(err.Error()))}
	}
	return nil
}

// Close releases the session.
func (e *Engine) Close() error {
	if e.sess == nil {
		return nil
	}
	err := e.sess.Destroy()
	e.sess = nil
	return err
}

var _ asr.Engine = (*Engine)(nil)
