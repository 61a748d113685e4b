//go:build !cgo

package onnx

// A build without cgo (CGO_ENABLED=0) has no ONNX Runtime: everything that reads a model
// file works (Inspect, as far as the file declares it), and opening an engine fails with
// ErrNoRuntime, so that the rest of Hark (the loader, the command line, the dictation core)
// builds and is tested without a C toolchain, and another engine can take its place.

import (
	"context"
	"errors"

	"hark/asr"
)

// ErrNoRuntime says this build of Hark cannot run ONNX models.
var ErrNoRuntime = errors.New("this build of Hark has no ONNX Runtime (built with CGO_ENABLED=0); build it with cgo")

// Engine is unavailable in this build.
type Engine struct{}

// OpenFile fails with ErrNoRuntime.
func OpenFile(path string, opts Options) (*Engine, error) {
	return nil, &Error{Model: path, Msg: "cannot open", Err: ErrNoRuntime}
}

// Open fails with ErrNoRuntime.
func Open(name string, data []byte, opts Options) (*Engine, error) {
	return nil, &Error{Model: name, Msg: "cannot open", Err: ErrNoRuntime}
}

// Info is nil.
func (e *Engine) Info() *Info { return nil }

// Run fails with ErrNoRuntime.
func (e *Engine) Run(context.Context, asr.Matrix) (asr.Matrix, error) {
	return asr.Matrix{}, ErrNoRuntime
}

// Close does nothing.
func (e *Engine) Close() error { return nil }

// Init fails with ErrNoRuntime.
func Init() error { return ErrNoRuntime }

// LibraryPath is "".
func LibraryPath() string { return "" }

// Version is "".
func Version() string { return "" }

// readIO needs ONNX Runtime.
func readIO(name string, data []byte) (ins, outs []struct{}, err error) {
	return nil, nil, &Error{Model: name, Msg: "cannot infer the outputs' types and shapes", Err: ErrNoRuntime}
}

// tensorInfo is never reached without ONNX Runtime.
func tensorInfo([]struct{}) []Tensor { return nil }

// SileroVAD is unavailable in this build.
type SileroVAD struct{}

// OpenSileroVAD fails with ErrNoRuntime.
func OpenSileroVAD(name string, data []byte) (*SileroVAD, error) {
	return nil, &Error{Model: name, Msg: "cannot open", Err: ErrNoRuntime}
}

// Frame is 0.
func (v *SileroVAD) Frame([]float32) float32 { return 0 }

// Reset does nothing.
func (v *SileroVAD) Reset() {}

// Err is ErrNoRuntime.
func (v *SileroVAD) Err() error { return ErrNoRuntime }

// Close does nothing.
func (v *SileroVAD) Close() error { return nil }
