package recognizer

import (
	"context"
	"fmt"
	"time"

	"hark/asr"
	"hark/asr/ctc"
	"hark/asr/features"
)

// These methods let a streaming caller (hark/asr/stream) compute features incrementally
// with a features.Stream and re-decode a growing utterance without recomputing them.

// FeatureExtractor returns the front-end the recognizer computes features with.
func (r *Recognizer) FeatureExtractor() *features.Extractor { return r.fe }

// RecognizeFeatures decodes one utterance given as the frames a features.Stream of
// FeatureExtractor() emitted for it (not normalised, not padded): it applies the model's
// whole-utterance steps (features.Extractor.Finish), so the result is the same as
// Recognize on those samples when the utterance is within MaxSegment. Word times are in
// seconds from the utterance's first frame.
func (r *Recognizer) RecognizeFeatures(ctx context.Context, feats asr.Matrix) (asr.Result, error) {
	var res asr.Result
	if feats.Cols != r.fe.NumMels() {
		return res, fmt.Errorf("features have %d values per frame, the front-end %d", feats.Cols, r.fe.NumMels())
	}
	res.Duration = float64(feats.Rows) * features.HopLength / SampleRate
	if feats.Rows == 0 {
		return res, nil
	}
	t1 := time.Now()
	post, err := r.engine.Run(ctx, r.fe.Finish(feats))
	t2 := time.Now()
	res.Timing.Model = t2.Sub(t1)
	if err != nil {
		return res, err
	}
	if post.Rows == 0 {
		return res, nil
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
