package recognizer

import (
	"context"
	"fmt"

	"hark/asr"
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
	dur := res.Duration
	res, err := r.decode(ctx, r.fe.Finish(feats))
	res.Duration = dur
	return res, err
}
