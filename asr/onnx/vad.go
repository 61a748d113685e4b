//go:build cgo

package onnx

import (
	"errors"
	"fmt"
	"slices"

	ort "github.com/yalue/onnxruntime_go"
)

// Silero VAD v4 tensor geometry.
const (
	sileroFrame = 512 // samples per call at 16 kHz (32 ms)
	sileroState = 2 * 1 * 64
)

// SileroVAD runs the Silero VAD v4 model (input, sr, h, c → output, hn, cn) on 512-sample
// frames of 16 kHz audio, carrying the LSTM state from frame to frame. It implements
// hark/asr/vad.VAD. It is not safe for concurrent use; open one per stream.
type SileroVAD struct {
	name   string
	sess   *ort.AdvancedSession
	input  *ort.Tensor[float32]
	sr     *ort.Scalar[int64]
	h, c   *ort.Tensor[float32]
	out    *ort.Tensor[float32]
	hn, cn *ort.Tensor[float32]
	err    error
}

// OpenSileroVAD loads a Silero VAD v4 model from memory; name labels errors.
func OpenSileroVAD(name string, data []byte) (*SileroVAD, error) {
	if err := Init(); err != nil {
		return nil, err
	}
	m, err := readModel(name, data)
	if err != nil {
		return nil, err
	}
	names := func(xs []onnxValue) []string {
		var s []string
		for _, x := range xs {
			s = append(s, x.name)
		}
		slices.Sort(s)
		return s
	}
	if in, out := names(m.inputs), names(m.outputs); !slices.Equal(in, []string{"c", "h", "input", "sr"}) || !slices.Equal(out, []string{"cn", "hn", "output"}) {
		return nil, &Error{Model: name, Msg: fmt.Sprintf("inputs %v and outputs %v are not Silero VAD v4's (input, sr, h, c → output, hn, cn)", in, out)}
	}
	v := &SileroVAD{name: name}
	if err := v.alloc(); err != nil {
		v.Close()
		return nil, &Error{Model: name, Msg: "allocating tensors", Err: err}
	}
	so, err := sessionOptions(name, 1)
	if err != nil {
		v.Close()
		return nil, err
	}
	defer so.Destroy()
	v.sess, err = ort.NewAdvancedSessionWithONNXData(data,
		[]string{"input", "sr", "h", "c"}, []string{"output", "hn", "cn"},
		[]ort.Value{v.input, v.sr, v.h, v.c}, []ort.Value{v.out, v.hn, v.cn}, so)
	if err != nil {
		v.Close()
		return nil, &Error{Model: name, Msg: "ONNX Runtime cannot load it", Err: errors.New(firstLine(err.Error()))}
	}
	return v, nil
}

func (v *SileroVAD) alloc() error {
	var err error
	newT := func(s ort.Shape) *ort.Tensor[float32] {
		if err != nil {
			return nil
		}
		var t *ort.Tensor[float32]
		t, err = ort.NewEmptyTensor[float32](s)
		return t
	}
	v.input = newT(ort.NewShape(1, sileroFrame))
	v.h = newT(ort.NewShape(2, 1, 64))
	v.c = newT(ort.NewShape(2, 1, 64))
	v.out = newT(ort.NewShape(1, 1))
	v.hn = newT(ort.NewShape(2, 1, 64))
	v.cn = newT(ort.NewShape(2, 1, 64))
	if err != nil {
		return err
	}
	v.sr, err = ort.NewScalar[int64](16000)
	return err
}

// Frame returns the probability that the 512-sample frame holds speech. A shorter frame is
// padded with zeros, a longer one cut. After an inference error it returns 0; Err tells why.
func (v *SileroVAD) Frame(samples []float32) float32 {
	if v.err != nil || v.sess == nil {
		return 0
	}
	in := v.input.GetData()
	n := copy(in, samples)
	clear(in[n:])
	if err := v.sess.Run(); err != nil {
		v.err = &Error{Model: v.name, Msg: "voice activity detection failed", Err: errors.New(firstLine(err.Error()))}
		return 0
	}
	copy(v.h.GetData(), v.hn.GetData())
	copy(v.c.GetData(), v.cn.GetData())
	p := v.out.GetData()[0]
	if !(p >= 0) { // NaN
		return 0
	}
	return min(p, 1)
}

// Reset clears the recurrent state for a new stream.
func (v *SileroVAD) Reset() {
	if v.h != nil {
		clear(v.h.GetData())
		clear(v.c.GetData())
	}
}

// Err returns the first inference error, if any.
func (v *SileroVAD) Err() error { return v.err }

// Close releases the session and its tensors.
func (v *SileroVAD) Close() error {
	var errs []error
	if v.sess != nil {
		errs = append(errs, v.sess.Destroy())
		v.sess = nil
	}
	for _, t := range []interface{ Destroy() error }{v.input, v.h, v.c, v.out, v.hn, v.cn} {
		if t != nil && !isNilTensor(t) {
			errs = append(errs, t.Destroy())
		}
	}
	if v.sr != nil {
		errs = append(errs, v.sr.Destroy())
		v.sr = nil
	}
	v.input, v.h, v.c, v.out, v.hn, v.cn = nil, nil, nil, nil, nil, nil
	return errors.Join(errs...)
}

func isNilTensor(t interface{ Destroy() error }) bool {
	p, ok := t.(*ort.Tensor[float32])
	return ok && p == nil
}
