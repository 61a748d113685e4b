package onnx

import (
	"os"
	"testing"
)

const defaultModel = "../../models/default/model.onnx"

// BenchmarkInspect times Inspect on the embedded default model: what every `hark transcribe`
// pays before the real session is built. (Before Inspect read the file itself, it built two
// throwaway ONNX Runtime sessions: about 1 s on a 2-core AMD EPYC.)
func BenchmarkInspect(b *testing.B) {
	data, err := os.ReadFile(defaultModel)
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Inspect(defaultModel, data); err != nil {
			b.Fatal(err)
		}
	}
}
