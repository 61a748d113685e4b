package audiofile

import (
	"errors"
	"fmt"
	"io"

	"github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"

	"hark/audio"
)

// guard runs f and turns a panic inside a third-party decoder, which corrupt
// input can provoke, into an error.
func guard(format string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt %s data (decoder failed: %v)", format, r)
		}
	}()
	return f()
}

// flacSource decodes a FLAC stream frame by frame.
type flacSource struct {
	stream   *flac.Stream
	rate     int
	bits     int
	declared uint64 // samples per channel the header declares, 0 if unknown
	decoded  uint64
	buf      []float32
	pos      int
	err      error
}

func openFLAC(r io.Reader, name string) (audio.Source, error) {
	var s *flac.Stream
	err := guard("FLAC", func() (err error) {
		s, err = flac.New(r)
		return err
	})
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fileErr(name, fmt.Errorf("invalid FLAC: truncated header: %w", err))
		}
		return nil, fileErr(name, fmt.Errorf("invalid FLAC: %w", err))
	}
	info := s.Info
	if info.NChannels < 1 || info.NChannels > 8 {
		return nil, fileErr(name, fmt.Errorf("invalid FLAC: %d channels", info.NChannels))
	}
	if info.BitsPerSample < 4 || info.BitsPerSample > 32 {
		return nil, fileErr(name, fmt.Errorf("invalid FLAC: %d bits per sample", info.BitsPerSample))
	}
	if err := checkRate(name, "FLAC", int(info.SampleRate)); err != nil {
		return nil, err
	}
	return &flacSource{stream: s, rate: int(info.SampleRate), bits: int(info.BitsPerSample), declared: info.NSamples}, nil
}

func (f *flacSource) SampleRate() int { return f.rate }

// next decodes the next frame into f.buf.
func (f *flacSource) next() error {
	var fr *frame.Frame
	err := guard("FLAC", func() (err error) {
		fr, err = f.stream.ParseNext()
		return err
	})
	switch {
	case err == io.EOF:
		if f.declared > 0 && f.decoded < f.declared {
			return fmt.Errorf("FLAC stream ends after %d of %d declared samples: %w", f.decoded, f.declared, audio.ErrTruncated)
		}
		return io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("FLAC stream ends inside a frame after %d samples: %w", f.decoded, audio.ErrTruncated)
	case err != nil:
		return fmt.Errorf("corrupt FLAC data after %d samples: %w", f.decoded, err)
	}
	bits := int(fr.BitsPerSample)
	if bits == 0 {
		bits = f.bits
	}
	n := int(fr.BlockSize)
	if len(fr.Subframes) == 0 || bits < 1 || bits > 32 {
		return fmt.Errorf("corrupt FLAC data after %d samples: frame with %d channels of %d bits", f.decoded, len(fr.Subframes), bits)
	}
	for _, sf := range fr.Subframes {
		if len(sf.Samples) != n {
			return fmt.Errorf("corrupt FLAC data after %d samples: subframe of %d samples in a %d-sample frame", f.decoded, len(sf.Samples), n)
		}
	}
	if cap(f.buf) < n {
		f.buf = make([]float32, n)
	}
	f.buf = f.buf[:n]
	scale := 1 / (float64(int64(1)<<(bits-1)) * float64(len(fr.Subframes)))
	for i := range f.buf {
		var sum int64
		for _, sf := range fr.Subframes {
			sum += int64(sf.Samples[i])
		}
		v := float64(sum) * scale
		f.buf[i] = float32(max(-1, min(1, v)))
	}
	f.pos = 0
	f.decoded += uint64(n)
	return nil
}

func (f *flacSource) Read(p []float32) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	for f.pos >= len(f.buf) {
		if err := f.next(); err != nil {
			f.err = err
			return 0, err
		}
	}
	n := copy(p, f.buf[f.pos:])
	f.pos += n
	return n, nil
}
