package features

import "hark/asr"

// Finish applies the whole-utterance steps that a Stream skips, Normalize and PadTo, to the
// frames a Stream emitted for one utterance, so that Finish(frames of a Stream) equals
// Compute on the same samples bit for bit. It returns a new matrix and leaves m unchanged;
// with neither step configured it returns m itself.
func (e *Extractor) Finish(m asr.Matrix) asr.Matrix {
	if !e.cfg.Normalize && e.cfg.PadTo <= 0 {
		return m
	}
	rows := m.Rows
	if k := e.cfg.PadTo; k > 0 && rows%k != 0 {
		rows += k - rows%k
	}
	out := asr.Matrix{Rows: rows, Cols: m.Cols, Data: make([]float32, rows*m.Cols)}
	copy(out.Data, m.Data[:m.Rows*m.Cols])
	if e.cfg.Normalize {
		normalize(out.Data[:m.Rows*m.Cols], m.Rows, m.Cols)
	}
	return out
}
