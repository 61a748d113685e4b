package wav

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"hark/audio"
	"hark/internal/atomicfile"
)

// headerSize is the size of the canonical 44-byte header the encoder writes.
const headerSize = 44

// maxDataBytes is the largest data chunk a plain RIFF file can describe.
const maxDataBytes = math.MaxUint32 - headerSize

// ErrClosed is returned by an Encoder used after Close.
var ErrClosed = errors.New("wav: encoder is closed")

// Encoder writes a 16-bit mono PCM WAV stream.
//
// The header is written first with the sizes set to 0xFFFFFFFF ("until the
// end of the file", as streaming tools write it). If the destination is an
// io.WriteSeeker that can seek, Close goes back and writes the real sizes;
// otherwise they stay, and Decoder reads such a file to its end. Use Write to
// produce exact sizes on a writer that cannot seek when all samples are
// known in advance.
type Encoder struct {
	w      io.Writer
	bw     *bufio.Writer
	ws     io.WriteSeeker // nil if w cannot seek
	start  int64          // offset of the header in ws
	rate   int
	nBytes int64
	buf    []byte
	err    error
}

func checkRate(rate int) error {
	if rate < audio.MinSampleRate || rate > audio.MaxSampleRate {
		return fmt.Errorf("wav: cannot write sample rate %d Hz (want %d..%d Hz)", rate, audio.MinSampleRate, audio.MaxSampleRate)
	}
	return nil
}

func header(rate int, dataBytes uint32) []byte {
	riffSize := dataBytes
	if dataBytes != sizeUnknown {
		riffSize = dataBytes + headerSize - 8
	}
	h := make([]byte, headerSize)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], riffSize)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], uint16(PCM))
	binary.LittleEndian.PutUint16(h[22:], 1)
	binary.LittleEndian.PutUint32(h[24:], uint32(rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(rate)*2)
	binary.LittleEndian.PutUint16(h[32:], 2)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], dataBytes)
	return h
}

// NewEncoder writes a WAV header for 16-bit mono PCM at rate to w and returns
// an Encoder for the samples. Close must be called to finish the file; it
// does not close w.
func NewEncoder(w io.Writer, rate int) (*Encoder, error) {
	if err := checkRate(rate); err != nil {
		return nil, err
	}
	e := &Encoder{w: w, bw: bufio.NewWriterSize(w, 32<<10), rate: rate}
	if ws, ok := w.(io.WriteSeeker); ok {
		if pos, err := ws.Seek(0, io.SeekCurrent); err == nil {
			e.ws, e.start = ws, pos
		}
	}
	if _, err := e.bw.Write(header(rate, sizeUnknown)); err != nil {
		return nil, fmt.Errorf("wav: writing header: %w", err)
	}
	return e, nil
}

// pcm16 converts a sample in [-1, 1] to 16-bit PCM, clamping out-of-range
// values and mapping NaN to 0.
func pcm16(v float32) int16 {
	x := math.Round(float64(v) * 32768)
	switch {
	case x >= 32767:
		return 32767
	case x <= -32768:
		return -32768
	case x != x:
		return 0
	}
	return int16(x)
}

// Write appends samples to the stream. Values outside [-1, 1] are clipped.
func (e *Encoder) Write(samples []float32) error {
	if e.err != nil {
		return e.err
	}
	if e.nBytes+2*int64(len(samples)) > maxDataBytes {
		e.err = fmt.Errorf("wav: more than %d bytes of samples do not fit in a WAV file", int64(maxDataBytes))
		return e.err
	}
	for len(samples) > 0 {
		n := min(len(samples), 8192)
		if cap(e.buf) < 2*n {
			e.buf = make([]byte, 2*8192)
		}
		b := e.buf[:2*n]
		for i, v := range samples[:n] {
			binary.LittleEndian.PutUint16(b[2*i:], uint16(pcm16(v)))
		}
		if _, err := e.bw.Write(b); err != nil {
			e.err = fmt.Errorf("wav: writing samples: %w", err)
			return e.err
		}
		e.nBytes += int64(len(b))
		samples = samples[n:]
	}
	return nil
}

// Close flushes buffered samples and, if the destination can seek, writes the
// final sizes into the header. It does not close the underlying writer.
func (e *Encoder) Close() error {
	if e.err != nil {
		if e.err == ErrClosed {
			return nil
		}
		return e.err
	}
	e.err = ErrClosed
	if err := e.bw.Flush(); err != nil {
		return fmt.Errorf("wav: writing samples: %w", err)
	}
	if e.ws == nil {
		return nil
	}
	h := header(e.rate, uint32(e.nBytes))
	patch := func(off int64, b []byte) error {
		if _, err := e.ws.Seek(e.start+off, io.SeekStart); err != nil {
			return err
		}
		_, err := e.ws.Write(b)
		return err
	}
	if err := patch(4, h[4:8]); err != nil {
		return fmt.Errorf("wav: fixing header sizes: %w", err)
	}
	if err := patch(40, h[40:44]); err != nil {
		return fmt.Errorf("wav: fixing header sizes: %w", err)
	}
	if _, err := e.ws.Seek(e.start+headerSize+e.nBytes, io.SeekStart); err != nil {
		return fmt.Errorf("wav: fixing header sizes: %w", err)
	}
	return nil
}

// Write writes samples to w as a complete 16-bit mono PCM WAV file with exact
// sizes in the header; w need not be seekable.
func Write(w io.Writer, samples []float32, rate int) error {
	if err := checkRate(rate); err != nil {
		return err
	}
	if 2*int64(len(samples)) > maxDataBytes {
		return fmt.Errorf("wav: %d samples do not fit in a WAV file", len(samples))
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	if _, err := bw.Write(header(rate, uint32(2*len(samples)))); err != nil {
		return fmt.Errorf("wav: writing header: %w", err)
	}
	e := &Encoder{bw: bw, rate: rate}
	if err := e.Write(samples); err != nil {
		return err
	}
	return e.Close()
}

// WriteFile writes samples to path as a 16-bit mono PCM WAV file. It writes
// a temporary file in the same directory and renames it over path, so path
// never holds a partial file.
func WriteFile(path string, samples []float32, rate int) (err error) {
	if err := checkRate(rate); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error { return Write(w, samples, rate) })
}
