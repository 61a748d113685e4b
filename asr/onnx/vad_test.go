//go:build cgo

package onnx

import (
	"os"
	"testing"

	"hark/asr/vad"
	"hark/asr/vad/vadtest"
	"hark/audio/audiofile"
	vadmodel "hark/models/vad"
)

var _ vad.VAD = (*SileroVAD)(nil)
var _ vad.Failer = (*SileroVAD)(nil)

func openSilero(t *testing.T) *SileroVAD {
	t.Helper()
	requireORT(t)
	v, err := OpenSileroVAD(vadmodel.SileroName, vadmodel.Silero())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func frameScores(v vad.VAD, x []float32) []float32 {
	var out []float32
	for i := 0; i+vad.FrameSize <= len(x); i += vad.FrameSize {
		out = append(out, v.Frame(x[i:i+vad.FrameSize]))
	}
	return out
}

func run(ps []float32, th float32) (longest, total int) {
	cur := 0
	for _, p := range ps {
		if p >= th {
			cur++
			total++
			longest = max(longest, cur)
		} else {
			cur = 0
		}
	}
	return longest, total
}

func TestSileroSpeech(t *testing.T) {
	v := openSilero(t)
	for _, name := range []string{"hello.wav", "numbers.wav"} {
		sp, err := audiofile.Load("../vad/testdata/"+name, vad.SampleRate)
		if err != nil {
			t.Fatal(err)
		}
		quiet := vadtest.White(1, 1e-4, 1)
		v.Reset()
		ps := frameScores(v, vadtest.Concat(quiet, sp, quiet))
		lead := len(quiet) / vad.FrameSize
		in := ps[lead : lead+len(sp)/vad.FrameSize]
		longest, total := run(in, 0.5)
		if longest < 5 || total < len(in)/2 {
			t.Errorf("%s: longest speech run %d, %d of %d frames, want ≥ 5 and ≥ half (%v)", name, longest, total, len(in), in)
		}
		if _, n := run(ps[:lead], 0.5); n > 0 {
			t.Errorf("%s: %d leading quiet frames scored as speech", name, n)
		}
	}
	if v.Err() != nil {
		t.Fatal(v.Err())
	}
}

func TestSileroNoise(t *testing.T) {
	v := openSilero(t)
	for name, x := range map[string][]float32{
		"silence":   vadtest.Silence(3),
		"white":     vadtest.White(4, 0.05, 1),
		"pink":      vadtest.Pink(4, 0.05, 2),
		"hum":       vadtest.Hum(4, 50, 0.05),
		"typing":    vadtest.Typing(4, 0.3, 4),
		"breathing": vadtest.Breathing(5, 0.03, 5),
	} {
		v.Reset()
		ps := frameScores(v, x)
		if longest, _ := run(ps, 0.5); longest >= 3 {
			t.Errorf("%s: %d consecutive frames scored as speech (%v)", name, longest, ps)
		}
	}
}

func TestSileroShortFrameAndReset(t *testing.T) {
	v := openSilero(t)
	sp, err := audiofile.Load("../vad/testdata/hello.wav", vad.SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	a := frameScores(v, sp)
	v.Reset()
	b := frameScores(v, sp)
	for i := range a {
		if d := a[i] - b[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("frame %d: %v before Reset, %v after", i, a[i], b[i])
		}
	}
	if p := v.Frame(sp[:100]); p < 0 || p > 1 {
		t.Errorf("short frame scored %v", p)
	}
}

func TestSileroRejectsOtherModels(t *testing.T) {
	requireORT(t)
	if _, err := OpenSileroVAD("x", nil); err == nil {
		t.Error("empty model accepted")
	}
	data, err := os.ReadFile(fixtures + "/tones/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSileroVAD("tones", data); err == nil {
		t.Error("a CTC model was accepted as a VAD")
	}
}

func BenchmarkSilero(b *testing.B) {
	requireORT(b)
	v, err := OpenSileroVAD(vadmodel.SileroName, vadmodel.Silero())
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	x := vadtest.White(1, 0.05, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		frameScores(v, x)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/audio-s")
}
