package audio

import (
	"errors"
	"fmt"
	"io"
)

// Sample-rate limits that Hark accepts for decoded audio files.
const (
	MinSampleRate = 8000
	MaxSampleRate = 96000
)

// ErrTruncated reports that an input ended before the length it declared.
// Decoders return the samples that were present, then an error wrapping
// ErrTruncated instead of io.EOF, so callers can warn and still use the audio.
var ErrTruncated = errors.New("truncated audio")

// Source is a pull-based stream of mono float32 samples in [-1, 1].
//
// Read works like io.Reader.Read: it fills p with up to len(p) samples and
// returns how many it wrote. At the end of the stream it returns io.EOF; it
// may return n > 0 together with a non-nil error. After an error, later calls
// return the same error (or io.EOF) and no samples.
type Source interface {
	SampleRate() int
	Read(p []float32) (n int, err error)
}

// SliceSource is a Source that reads samples from a slice.
type SliceSource struct {
	samples []float32
	rate    int
	pos     int
}

// NewSliceSource returns a Source that yields samples at the given rate.
// It does not copy samples; the caller must not modify them while reading.
func NewSliceSource(samples []float32, rate int) *SliceSource {
	return &SliceSource{samples: samples, rate: rate}
}

// SampleRate returns the rate given to NewSliceSource.
func (s *SliceSource) SampleRate() int { return s.rate }

// Read copies the next samples into p and returns io.EOF once all were read.
func (s *SliceSource) Read(p []float32) (int, error) {
	if s.pos >= len(s.samples) {
		return 0, io.EOF
	}
	n := copy(p, s.samples[s.pos:])
	s.pos += n
	if s.pos >= len(s.samples) {
		return n, io.EOF
	}
	return n, nil
}

// Len returns the number of samples not yet read.
func (s *SliceSource) Len() int { return len(s.samples) - s.pos }

// ReadAll reads src until io.EOF and returns the samples. A nil error means
// the stream ended normally. On any other error ReadAll returns the samples
// read so far together with that error (for example one wrapping
// ErrTruncated).
func ReadAll(src Source) ([]float32, error) {
	out := make([]float32, 0, 16384)
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		n, err := src.Read(out[len(out):cap(out)])
		if n < 0 || n > cap(out)-len(out) {
			return out, fmt.Errorf("audio: source returned invalid count %d", n)
		}
		out = out[:len(out)+n]
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// errSource is a Source that only reports an error.
type errSource struct {
	rate int
	err  error
}

func (e *errSource) SampleRate() int             { return e.rate }
func (e *errSource) Read([]float32) (int, error) { return 0, e.err }
