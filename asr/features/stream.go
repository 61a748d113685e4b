package features

import "slices"

// Stream computes features incrementally from audio that arrives in pieces. Concatenating
// the frames from every Write and the final Flush gives exactly (bit for bit) the frames
// of Compute on the whole signal without normalisation or padding: Normalize and PadTo
// are whole-utterance steps that streams skip. A frame is emitted as soon as every sample
// it depends on has arrived; the Stream keeps only the last few hundred samples, so the
// work per sample is bounded. A Stream is not safe for concurrent use.
type Stream struct {
	e    *Extractor
	buf  []float32 // samples base, base+1, …, n-1
	base int       // absolute index of buf[0]
	n    int       // samples received so far
	next int       // index of the next frame to emit
	sc   scratch
}

// NewStream starts a new stream for one utterance.
func (e *Extractor) NewStream() *Stream { return &Stream{e: e} }

// Write adds samples and appends the frames they complete (NumMels values each) to dst,
// returning the extended slice.
func (s *Stream) Write(dst, samples []float32) []float32 {
	s.buf = append(s.buf, samples...)
	s.n += len(samples)
	ready := s.next
	for s.e.frameEnd(ready) <= s.n {
		ready++
	}
	dst = s.emit(dst, ready)
	// Drop samples no later frame needs, copying only when at least half the buffer goes,
	// which keeps the copying amortised O(1) per sample.
	if keep := s.e.frameFirst(s.next); keep > s.base {
		drop := keep - s.base
		if drop >= len(s.buf)-drop {
			s.buf = s.buf[:copy(s.buf, s.buf[drop:])]
			s.base = keep
		}
	}
	return dst
}

// Flush appends the remaining frames, those that reach past the end of the signal, to dst
// and resets the Stream for a new utterance.
func (s *Stream) Flush(dst []float32) []float32 {
	dst = s.emit(dst, s.e.FrameCount(s.n))
	s.Reset()
	return dst
}

// Reset discards all state so the Stream can start a new utterance.
func (s *Stream) Reset() {
	s.buf = s.buf[:0]
	s.base, s.n, s.next = 0, 0, 0
}

// emit appends frames s.next … end-1 to dst.
func (s *Stream) emit(dst []float32, end int) []float32 {
	if end <= s.next {
		return dst
	}
	c := s.e.nMels
	at := len(dst)
	dst = slices.Grow(dst, (end-s.next)*c)[:at+(end-s.next)*c]
	for ; s.next < end; s.next++ {
		s.e.frame(s.next, s.buf, s.base, s.n, dst[at:at+c], &s.sc)
		at += c
	}
	return dst
}
