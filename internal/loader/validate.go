package loader

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"hark/asr"
	"hark/asr/onnx"
	"hark/models"
)

// Supported refuses, by their metadata, models that pass the engine's shape checks but are
// not CTC models Hark can feed correctly. name labels the error (the model file).
func Supported(name string, info *onnx.Info) error {
	md := info.Metadata
	mt := md["model_type"]
	lt := strings.ToLower(mt)
	switch {
	case strings.Contains(lt, "rnnt") && !strings.Contains(lt, "ctc"), strings.Contains(lt, "transducer"):
		return fmt.Errorf("%s: model_type %q is a transducer model, which Hark does not support (Hark runs CTC models)", name, mt)
	case strings.Contains(lt, "whisper") || md["is_whisper"] != "":
		return fmt.Errorf("%s: a Whisper (encoder-decoder) model, which Hark does not support (Hark runs CTC models)", name)
	case md["lfr_window_size"] != "" || md["lfr_m"] != "":
		return fmt.Errorf("%s: a Paraformer/SenseVoice-style model (low-frame-rate stacked features), which Hark does not support", name)
	}
	return nil
}

// SyntheticClip is seconds of deterministic speech-like sound (a harmonic source with a
// wandering pitch, syllable-rate envelope and a little noise) at 16 kHz, for checking that
// a model runs and for timing it.
func SyntheticClip(seconds float64) []float32 {
	const sr = 16000
	n := int(seconds * sr)
	x := make([]float32, n)
	phase, seed := 0.0, uint32(12345)
	for i := range x {
		t := float64(i) / sr
		f0 := 130 + 30*math.Sin(2*math.Pi*0.8*t)
		phase += 2 * math.Pi * f0 / sr
		var v float64
		for k := 1; k <= 12; k++ {
			v += math.Sin(float64(k)*phase) / float64(k)
		}
		env := math.Max(0, math.Sin(2*math.Pi*3*t))
		seed = seed*1664525 + 1013904223
		noise := (float64(seed>>8)/float64(1<<24) - 0.5) * 0.01
		x[i] = float32(0.2*env*env*v + noise)
	}
	return x
}

// Check is what Validate found out about a model.
type Check struct {
	Text     string        // transcript of the synthetic clip (usually nonsense)
	Audio    time.Duration // length of the clip
	Elapsed  time.Duration // time to recognize it
	Frames   int           // output frames
	Vocab    int           // vocabulary size
	Preset   string        // feature preset in use
	Features int           // features per frame
	Model    *models.Model // the model as loaded: its settings filled from the file's metadata and defaults
}

// RTF is the real-time factor of the check run (elapsed / audio).
func (c *Check) RTF() float64 { return c.Elapsed.Seconds() / c.Audio.Seconds() }

// Validate loads the model in dir as Hark would run it (engine, vocabulary against the
// output dimension, front-end from its settings and metadata) and runs a short synthetic
// clip through it; the error says in one line why the model cannot be used.
func Validate(ctx context.Context, dir string) error {
	m, err := models.LoadDir(dir)
	if err != nil {
		return err
	}
	_, err = Try(ctx, m, 1)
	return err
}

// Try loads m greedily and without language model and recognizes seconds of synthetic sound.
func Try(ctx context.Context, m *models.Model, seconds float64) (*Check, error) {
	ld, err := Load(m, asr.Config{Beam: 1, NoLM: true})
	if err != nil {
		return nil, err
	}
	defer ld.Close()
	clip := SyntheticClip(seconds)
	label := m.Source + "/" + m.ONNXName
	feats := ld.Recognizer.FeatureExtractor().Compute(clip)
	out, err := ld.Engine.Run(ctx, feats)
	if err != nil {
		return nil, err
	}
	if out.Rows == 0 {
		return nil, fmt.Errorf("%s: produced no output frames for %.1f s of audio", label, seconds)
	}
	if out.Cols != ld.Recognizer.Vocabulary().Size() {
		return nil, fmt.Errorf("%s: outputs %d values per frame but tokens.txt has %d tokens", label, out.Cols, ld.Recognizer.Vocabulary().Size())
	}
	finite := false
	for _, v := range out.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 1) {
			return nil, fmt.Errorf("%s: produced NaN or infinite scores on a test clip", label)
		}
		finite = finite || !math.IsInf(float64(v), -1)
	}
	if !finite {
		return nil, fmt.Errorf("%s: scores every token -inf on a test clip: nothing could ever be recognised", label)
	}
	// Decode as `hark transcribe` will: with the model's own language model, so that a missing,
	// corrupt or escaping LM is refused at import, not at every transcription (issue 17).
	full, err := Load(m, asr.Config{})
	if err != nil {
		return nil, err
	}
	defer full.Close()
	start := time.Now()
	res, err := full.Recognizer.Recognize(ctx, clip)
	if err != nil {
		return nil, err
	}
	return &Check{
		Text: res.Text, Audio: time.Duration(seconds * float64(time.Second)), Elapsed: time.Since(start),
		Frames: out.Rows, Vocab: out.Cols, Preset: ld.Model.FeaturePreset, Features: feats.Cols, Model: ld.Model,
	}, nil
}
