// Package speech is Hark's front door for Go programs: open a recognizer from a model name or
// directory with one config struct, then transcribe audio files, readers or samples.
//
//	rec, err := speech.Open("", asr.Config{}) // the user's default model (else the embedded one)
//	if err != nil { ... }
//	defer rec.Close()
//	res, err := rec.TranscribeFile(ctx, "meeting.wav")
//	fmt.Println(res.Text)
//
// Everything runs on this machine; nothing is ever downloaded or sent anywhere.
package speech

import (
	"context"
	"fmt"
	"io"

	"hark/asr"
	"hark/asr/text"
	"hark/audio"
	"hark/audio/audiofile"
	"hark/internal/loader"
)

// Recognizer transcribes speech with one loaded model. It is safe for concurrent use.
type Recognizer struct {
	ld  *loader.Loaded
	fmt *text.Formatter // nil with Config.Raw
}

// Open loads a model: "" is the user's default model (`hark models default`; the embedded
// English model unless another was chosen), "default" the embedded model, a name an installed
// model (`hark models list`), anything else a model directory. cfg's zero value means the
// model's own decoding settings (beam 8, its language model and tuned weights, one thread).
func Open(model string, cfg asr.Config) (*Recognizer, error) {
	m, err := loader.Find(model)
	if err != nil {
		return nil, err
	}
	ld, err := loader.Load(m, cfg)
	if err != nil {
		return nil, err
	}
	r := &Recognizer{ld: ld}
	if !cfg.Raw {
		r.fmt = &text.Formatter{}
	}
	return r, nil
}

// Model is the loaded model's name.
func (r *Recognizer) Model() string { return r.ld.Model.Name }

// Warnings are problems that did not stop loading (skipped hotwords, an ignored LM setting).
func (r *Recognizer) Warnings() []string { return append([]string(nil), r.ld.Warnings...) }

// TranscribeFile transcribes a WAV, FLAC or MP3 file. Errors name the file.
func (r *Recognizer) TranscribeFile(ctx context.Context, path string) (asr.Result, error) {
	src, closer, err := audiofile.Open(path)
	if err != nil {
		return asr.Result{}, err
	}
	defer closer.Close()
	return r.transcribe(ctx, src, path)
}

// Transcribe transcribes a WAV, FLAC or MP3 stream read front to back; name labels errors.
func (r *Recognizer) Transcribe(ctx context.Context, rd io.Reader, name string) (asr.Result, error) {
	src, err := audiofile.OpenReader(rd, name)
	if err != nil {
		return asr.Result{}, err
	}
	return r.transcribe(ctx, src, name)
}

// TranscribeSamples transcribes mono samples in [-1, 1] at the given rate (8–96 kHz).
func (r *Recognizer) TranscribeSamples(ctx context.Context, samples []float32, rate int) (asr.Result, error) {
	if rate < audio.MinSampleRate || rate > audio.MaxSampleRate {
		return asr.Result{}, fmt.Errorf("sample rate %d Hz: want %d..%d", rate, audio.MinSampleRate, audio.MaxSampleRate)
	}
	return r.transcribe(ctx, audio.NewSliceSource(samples, rate), "samples")
}

func (r *Recognizer) transcribe(ctx context.Context, src audio.Source, name string) (asr.Result, error) {
	res, err := r.ld.Recognizer.RecognizeSource(ctx, src)
	if err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	if r.fmt != nil {
		res = r.fmt.Result(res)
	}
	return res, nil
}

// Close releases the model.
func (r *Recognizer) Close() error { return r.ld.Close() }
