package vad

import _ "embed"

//go:embed silero_vad.onnx
var silero []byte

// Silero returns silero_vad.onnx (Silero VAD v4): inputs input [1, 512] float32, sr int64
// scalar, h and c [2, 1, 64]; outputs output [1, 1] (speech probability), hn and cn. The
// slice is shared: callers must not modify it.
func Silero() []byte { return silero }

// SileroName labels the embedded model in messages.
const SileroName = "embedded:silero_vad.onnx"
