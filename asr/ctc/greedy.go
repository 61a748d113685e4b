package ctc

import (
	"fmt"
	"math"

	"hark/asr"
)

// Hypothesis is one decoded token sequence.
type Hypothesis struct {
	Tokens []int // emitted token ids, repeats collapsed, no blanks
	// Frames holds, for each token, the frame where it is first emitted (its CTC spike).
	Frames []int
	// LastFrames holds, for each token, the last frame of its run of repeats.
	LastFrames []int
	// Score is the natural-log score the search ranked by: for greedy decoding the best
	// path's log-probability; for beam search the prefix log-probability summed over
	// alignments, plus language-model and hotword contributions.
	Score float64
}

// checkMatrix verifies that post is a frames × Size() matrix.
func (v *Vocabulary) checkMatrix(post asr.Matrix) error {
	if post.Rows < 0 || post.Cols < 0 {
		return fmt.Errorf("ctc: log-prob matrix has negative shape %d×%d", post.Rows, post.Cols)
	}
	if post.Rows == 0 {
		return nil
	}
	if post.Cols != len(v.tokens) {
		return fmt.Errorf("ctc: log-prob matrix has %d columns but the vocabulary has %d tokens", post.Cols, len(v.tokens))
	}
	if post.Rows > len(post.Data)/post.Cols {
		return fmt.Errorf("ctc: log-prob matrix %d×%d holds only %d values", post.Rows, post.Cols, len(post.Data))
	}
	return nil
}

// clean maps NaN to -Inf and +Inf to the largest float32, so scores stay ordered.
func clean(x float32) float64 {
	switch {
	case x != x:
		return math.Inf(-1)
	case x > math.MaxFloat32:
		return math.MaxFloat32
	}
	return float64(x)
}

// Greedy decodes by taking the most probable token in each frame, collapsing repeats and
// dropping blanks. Ties go to the lower id; NaN values count as -Inf.
func (v *Vocabulary) Greedy(post asr.Matrix) (Hypothesis, error) {
	if err := v.checkMatrix(post); err != nil {
		return Hypothesis{}, err
	}
	var h Hypothesis
	prev := v.blank
	for t := 0; t < post.Rows; t++ {
		row := post.Row(t)
		best, bestV := v.blank, math.Inf(-1)
		for k, x := range row {
			if c := clean(x); c > bestV {
				best, bestV = k, c
			}
		}
		h.Score += bestV
		switch {
		case best == v.blank:
		case best == prev:
			h.LastFrames[len(h.LastFrames)-1] = t
		default:
			h.Tokens = append(h.Tokens, best)
			h.Frames = append(h.Frames, t)
			h.LastFrames = append(h.LastFrames, t)
		}
		prev = best
	}
	return h, nil
}

// LogSoftmax normalises each row of m in place so that it holds log-probabilities, for
// models that output unnormalised logits. NaN values become -Inf; a row with no finite
// value becomes all -Inf.
func LogSoftmax(m asr.Matrix) {
	if m.Rows <= 0 || m.Cols <= 0 || m.Rows > len(m.Data)/m.Cols {
		return
	}
	for t := 0; t < m.Rows; t++ {
		row := m.Row(t)
		mx := math.Inf(-1)
		for _, x := range row {
			mx = max(mx, clean(x))
		}
		if math.IsInf(mx, 0) {
			for i := range row {
				row[i] = float32(math.Inf(-1))
			}
			continue
		}
		var sum float64
		for _, x := range row {
			sum += math.Exp(clean(x) - mx)
		}
		lse := mx + math.Log(sum)
		for i, x := range row {
			row[i] = float32(clean(x) - lse)
		}
	}
}

// IsLogProbs reports whether m looks like log-softmax output: for a sample of up to 16
// rows, the probabilities sum to 1 within 1e-2. An empty matrix counts as log-probabilities.
func IsLogProbs(m asr.Matrix) bool {
	if m.Rows <= 0 || m.Cols <= 0 || m.Rows > len(m.Data)/m.Cols {
		return true
	}
	step := max(1, m.Rows/16)
	for t := 0; t < m.Rows; t += step {
		var sum float64
		for _, x := range m.Row(t) {
			sum += math.Exp(clean(x))
		}
		if math.Abs(sum-1) > 1e-2 {
			return false
		}
	}
	return true
}
