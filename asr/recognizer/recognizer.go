package recognizer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"hark/asr"
	"hark/asr/ctc"
	"hark/asr/features"
	"hark/audio"
)

// SampleRate is the rate every model in Hark runs at.
const SampleRate = 16000

// Segmenting long audio: a full-context model sees at most MaxSegment seconds at a time; a
// segment is cut at the quietest point of its last SearchWindow seconds so that words are
// rarely split.
const (
	MaxSegment   = 30.0
	SearchWindow = 8.0
)

// Recognizer turns samples into text with one engine, vocabulary and front-end. It is safe
// for concurrent use when its engine is.
type Recognizer struct {
	engine   asr.Engine
	vocab    *ctc.Vocabulary
	fe       *features.Extractor
	frameSec float64
	cfg      asr.Config
	beam     ctc.BeamConfig
}

// New builds a recognizer; subsampling is the model's time subsampling factor (output frames
// are subsampling × 10 ms apart).
func New(engine asr.Engine, vocab *ctc.Vocabulary, fe *features.Extractor, subsampling int, cfg asr.Config) (*Recognizer, error) {
	if subsampling <= 0 {
		return nil, fmt.Errorf("subsampling factor %d must be positive", subsampling)
	}
	r := &Recognizer{engine: engine, vocab: vocab, fe: fe, frameSec: 0.01 * float64(subsampling), cfg: cfg}
	r.beam = ctc.BeamConfig{Beam: cfg.BeamWidth(), TokenTopK: cfg.TokenTopK}
	return r, nil
}

// Vocabulary returns the recognizer's vocabulary.
func (r *Recognizer) Vocabulary() *ctc.Vocabulary { return r.vocab }

// SetBeam replaces the search configuration (language model, hotwords, widths).
func (r *Recognizer) SetBeam(b ctc.BeamConfig) { r.beam = b }

// Recognize transcribes 16 kHz samples, in segments of at most MaxSegment seconds.
func (r *Recognizer) Recognize(ctx context.Context, samples []float32) (asr.Result, error) {
	return r.RecognizeSource(ctx, audio.NewSliceSource(samples, SampleRate))
}

// RecognizeSource reads src to its end (resampling to 16 kHz if needed) and transcribes it
// segment by segment, so memory stays bounded however long the input is. Read time counts
// as the Decode stage.
func (r *Recognizer) RecognizeSource(ctx context.Context, src audio.Source) (asr.Result, error) {
	if src.SampleRate() != SampleRate {
		src = audio.Resample(src, SampleRate)
	}
	var res asr.Result
	var texts []string
	maxN := int(MaxSegment * SampleRate)
	buf := make([]float32, 0, maxN)
	chunk := make([]float32, 8192)
	offset := 0 // samples before buf[0]
	eof := false
	for !eof || len(buf) > 0 {
		t0 := time.Now()
		for !eof && len(buf) < maxN {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			want := min(len(chunk), maxN-len(buf))
			n, err := src.Read(chunk[:want])
			buf = append(buf, chunk[:n]...)
			if errors.Is(err, io.EOF) {
				eof = true
			} else if err != nil {
				res.Timing.Decode += time.Since(t0)
				return res, err
			}
		}
		res.Timing.Decode += time.Since(t0)
		if offset == 0 && eof && len(buf) == 0 {
			return res, asr.ErrNoAudio
		}
		cut := len(buf)
		if !eof {
			cut = quietestCut(buf, int(SearchWindow*SampleRate))
		}
		seg, err := r.segment(ctx, buf[:cut], float64(offset)/SampleRate)
		if err != nil {
			return res, err
		}
		if seg.Text != "" {
			texts = append(texts, seg.Text)
		}
		res.Words = append(res.Words, seg.Words...)
		res.Timing.Add(seg.Timing)
		offset += cut
		buf = append(buf[:0], buf[cut:]...)
	}
	res.Duration = float64(offset) / SampleRate
	res.Text = strings.Join(texts, " ")
	res.Raw = res.Text
	return res, nil
}

// quietestCut returns the index, within the last window samples of x, of the start of the
// quietest 20 ms stretch, so a segment boundary falls in a pause.
func quietestCut(x []float32, window int) int {
	const hop = 320
	start := max(0, len(x)-window)
	best, bestE := len(x), math.Inf(1)
	for i := start; i+hop <= len(x); i += hop / 2 {
		var e float64
		for _, v := range x[i : i+hop] {
			e += float64(v) * float64(v)
		}
		if e < bestE {
			best, bestE = i+hop/2, e
		}
	}
	if best <= 0 {
		return len(x)
	}
	return best
}

// segment recognizes one stretch of audio that starts at start seconds.
func (r *Recognizer) segment(ctx context.Context, x []float32, start float64) (asr.Result, error) {
	t0 := time.Now()
	feats := r.fe.Compute(x)
	featTime := time.Since(t0)
	res, err := r.decode(ctx, feats)
	res.Duration = float64(len(x)) / SampleRate
	res.Timing.Features = featTime
	asr.ShiftWords(res.Words, start)
	return res, err
}

// decode runs the engine on finished features and searches its output; word times are in
// seconds from the first frame.
func (r *Recognizer) decode(ctx context.Context, feats asr.Matrix) (asr.Result, error) {
	var res asr.Result
	t1 := time.Now()
	post, err := r.engine.Run(ctx, feats)
	t2 := time.Now()
	res.Timing.Model = t2.Sub(t1)
	if err != nil || post.Rows == 0 {
		return res, err
	}
	if post.Cols != r.vocab.Size() {
		return res, fmt.Errorf("model outputs %d values per frame but the vocabulary has %d tokens", post.Cols, r.vocab.Size())
	}
	if !ctc.IsLogProbs(post) {
		ctc.LogSoftmax(post)
	}
	var hyp ctc.Hypothesis
	if r.beam.Beam == 1 {
		hyp, err = r.vocab.Greedy(post)
	} else {
		var hs []ctc.Hypothesis
		hs, err = r.vocab.BeamSearch(post, r.beam)
		if len(hs) > 0 {
			hyp = hs[0]
		}
	}
	if err != nil {
		return res, err
	}
	res.Words = r.vocab.Words(hyp, post, r.frameSec)
	res.Text = r.vocab.Text(hyp.Tokens)
	res.Raw = res.Text
	res.Timing.Search = time.Since(t2)
	return res, nil
}
