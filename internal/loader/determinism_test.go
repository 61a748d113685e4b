package loader

import (
	"context"
	"math"
	"testing"

	"hark/asr"
	"hark/audio/audiofile"
)

// TestDeterministic transcribes the bundled sample five times with the embedded int8 model and
// its LM, on one and on two ONNX Runtime threads: the model's log-probabilities must be the
// same bit for bit and the text the same every time (issue 15: a broken int8 path gave stray
// letters that changed from run to run of the same file).
func TestDeterministic(t *testing.T) {
	x, err := audiofile.Load("../../testdata/speech/sample.wav", 16000)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, threads := range []int{1, 2} {
		ld := loadDefault(t, asr.Config{Threads: threads})
		feats := ld.Recognizer.FeatureExtractor().Compute(x)
		var first asr.Matrix
		for run := 0; run < 5; run++ {
			post, err := ld.Engine.Run(context.Background(), feats)
			if err != nil {
				t.Fatal(err)
			}
			if run == 0 {
				first = post
			} else if post.Rows != first.Rows || post.Cols != first.Cols {
				t.Fatalf("%d threads, run %d: output %dx%d, first run %dx%d", threads, run, post.Rows, post.Cols, first.Rows, first.Cols)
			} else {
				for i, v := range post.Data {
					if math.Float32bits(v) != math.Float32bits(first.Data[i]) {
						t.Fatalf("%d threads, run %d: log-prob %d (frame %d) is %v, first run %v", threads, run, i, i/post.Cols, v, first.Data[i])
					}
				}
			}
			res, err := ld.Recognizer.Recognize(context.Background(), x)
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, res.Text)
		}
		ld.Close()
	}
	for i, s := range texts {
		if s != texts[0] {
			t.Fatalf("transcription %d is %q, the first was %q", i, s, texts[0])
		}
	}
	t.Logf("10 runs: %q", texts[0])
}
