package loader

import (
	"context"
	"math"
	"testing"

	"hark/asr"
	"hark/audio/audiofile"
)

// TestDefaultModelCached: the default model loaded from the cache of optimised models gives the
// same log-probabilities, bit for bit, as loaded without it.
func TestDefaultModelCached(t *testing.T) {
	x, err := audiofile.Load("../../testdata/speech/sample.wav", 16000)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	post := func() asr.Matrix {
		ld := loadDefault(t, asr.Config{})
		defer ld.Close()
		p, err := ld.Engine.Run(context.Background(), ld.Recognizer.FeatureExtractor().Compute(x))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv(NoCacheEnv, "1")
	want := post()
	t.Setenv(NoCacheEnv, "")
	for _, label := range []string{"writing the cache", "from the cache"} {
		got := post()
		if len(got.Data) != len(want.Data) {
			t.Fatalf("%s: %d values, want %d", label, len(got.Data), len(want.Data))
		}
		for i := range got.Data {
			if math.Float32bits(got.Data[i]) != math.Float32bits(want.Data[i]) {
				t.Fatalf("%s: value %d is %v, without the cache %v", label, i, got.Data[i], want.Data[i])
			}
		}
	}
}
