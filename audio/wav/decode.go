package wav

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"hark/audio"
)

// Encoding is a WAVE format tag: how samples are stored in the data chunk.
type Encoding uint16

// Format tags the decoder understands. Extensible appears only in files; the
// decoder reports the sub-format it announces instead.
const (
	PCM        Encoding = 0x0001
	IEEEFloat  Encoding = 0x0003
	ALaw       Encoding = 0x0006
	MuLaw      Encoding = 0x0007
	Extensible Encoding = 0xFFFE
)

func (e Encoding) String() string {
	switch e {
	case PCM:
		return "PCM"
	case IEEEFloat:
		return "IEEE float"
	case ALaw:
		return "A-law"
	case MuLaw:
		return "µ-law"
	case Extensible:
		return "WAVE_FORMAT_EXTENSIBLE"
	}
	return fmt.Sprintf("format tag 0x%04X", uint16(e))
}

// MaxChannels is the largest channel count the decoder accepts.
const MaxChannels = 32

// FormatError reports that the input is not a valid WAV file; the text says
// what is wrong.
type FormatError string

func (e FormatError) Error() string { return "invalid WAV: " + string(e) }

// UnsupportedError reports a valid WAV file whose encoding this package
// cannot decode (for example ADPCM).
type UnsupportedError string

func (e UnsupportedError) Error() string { return "unsupported WAV: " + string(e) }

// ErrTruncated is audio.ErrTruncated: the data chunk ended early. Read
// returns the samples that were present, then an error wrapping it.
var ErrTruncated = audio.ErrTruncated

// Declared data sizes of at least streamSizeMin are placeholders written by
// tools that stream to pipes (sox writes 0x7FFFF000-ish, ffmpeg 0xFFFFFFFF).
// Reaching the end of input before such a size is not an error, and
// 0xFFFFFFFF means "until the end of input".
const (
	streamSizeMin = 0x7FFFF000
	sizeUnknown   = 0xFFFFFFFF
)

// frameBufFrames is how many frames the decoder reads at a time.
const frameBufFrames = 4096

// Decoder decodes a WAV stream to mono samples at the file's own rate. It
// reads the input once, front to back, with bounded memory, so it works on
// pipes. It implements audio.Source.
type Decoder struct {
	r *bufio.Reader

	enc        Encoding // PCM, IEEEFloat, ALaw or MuLaw (sub-format when extensible)
	extensible bool
	channels   int
	rate       int
	bits       int // container bits per sample
	validBits  int
	blockAlign int
	frames     int64 // declared frames, -1 if unknown

	remain    int64 // data bytes left to read, -1 if unbounded
	strict    bool  // input ending before remain is ErrTruncated
	declared  int64 // declared data size in bytes
	readBytes int64
	raw       []byte
	off, end  int // raw[off:end] holds undecoded bytes
	inEOF     bool
	inErr     error
	err       error
}

// NewDecoder reads the WAV header from r, up to the start of the sample data,
// and returns a decoder positioned there. r need not be seekable. Header
// problems are reported as FormatError or UnsupportedError values (wrapped
// with %w if an I/O error caused them).
func NewDecoder(r io.Reader) (*Decoder, error) {
	d := &Decoder{r: bufio.NewReaderSize(r, 64<<10), frames: -1}
	if err := d.readHeader(); err != nil {
		return nil, err
	}
	return d, nil
}

// SampleRate returns the file's sample rate in Hz.
func (d *Decoder) SampleRate() int { return d.rate }

// Channels returns the number of channels in the file (the decoder outputs
// their average).
func (d *Decoder) Channels() int { return d.channels }

// BitsPerSample returns the stored (container) size of one sample in bits.
func (d *Decoder) BitsPerSample() int { return d.bits }

// ValidBitsPerSample returns the number of significant bits per sample, which
// WAVE_FORMAT_EXTENSIBLE files may declare below BitsPerSample.
func (d *Decoder) ValidBitsPerSample() int { return d.validBits }

// Encoding returns how samples are stored; for WAVE_FORMAT_EXTENSIBLE files it
// is the announced sub-format.
func (d *Decoder) Encoding() Encoding { return d.enc }

// Extensible reports whether the file uses WAVE_FORMAT_EXTENSIBLE.
func (d *Decoder) Extensible() bool { return d.extensible }

// Frames returns the number of sample frames the header declares, or -1 if
// the header does not know (streamed files).
func (d *Decoder) Frames() int64 { return d.frames }

// Duration returns the duration the header declares; ok is false if the
// header does not know it.
func (d *Decoder) Duration() (dur time.Duration, ok bool) {
	if d.frames < 0 {
		return 0, false
	}
	sec := d.frames / int64(d.rate)
	rest := d.frames % int64(d.rate)
	return time.Duration(sec)*time.Second + time.Duration(rest)*time.Second/time.Duration(d.rate), true
}

// readFull reads exactly len(b) header bytes; what names the item for errors.
func (d *Decoder) readFull(b []byte, what string) error {
	n, err := io.ReadFull(d.r, b)
	switch {
	case err == nil:
		return nil
	case err == io.ErrUnexpectedEOF || (err == io.EOF && n == 0):
		return FormatError("truncated header: file ends inside the " + what)
	default:
		return fmt.Errorf("reading WAV %s: %w", what, err)
	}
}

func (d *Decoder) skip(n int64, what string) error {
	m, err := io.CopyN(io.Discard, d.r, n)
	if err == io.EOF {
		return FormatError(fmt.Sprintf("truncated header: file ends inside the %s (%d of %d bytes)", what, m, n))
	}
	if err != nil {
		return fmt.Errorf("reading WAV %s: %w", what, err)
	}
	return nil
}

var subtypeGUIDTail = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

func (d *Decoder) readHeader() error {
	var hdr [12]byte
	n, err := io.ReadFull(d.r, hdr[:])
	if n == 0 && (err == io.EOF || err == io.ErrUnexpectedEOF) {
		return FormatError("empty file")
	}
	if n >= 4 && !bytes.Equal(hdr[:4], []byte("RIFF")) && !bytes.Equal(hdr[:4], []byte("RF64")) {
		if bytes.Equal(hdr[:4], []byte("RIFX")) {
			return UnsupportedError("big-endian RIFX file")
		}
		return FormatError("not a WAV file (no RIFF header)")
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return FormatError("truncated header: file ends inside the RIFF header")
	}
	if err != nil {
		return fmt.Errorf("reading WAV RIFF header: %w", err)
	}
	if !bytes.Equal(hdr[8:12], []byte("WAVE")) {
		return FormatError(fmt.Sprintf("RIFF file of type %q, not WAVE", hdr[8:12]))
	}
	rf64 := hdr[0] == 'R' && hdr[1] == 'F'
	var ds64Data int64 = -1

	haveFmt := false
	for {
		var ch [8]byte
		n, err := io.ReadFull(d.r, ch[:])
		if err == io.EOF && n == 0 {
			if !haveFmt {
				return FormatError("no fmt chunk")
			}
			return FormatError("no data chunk")
		}
		if err == io.ErrUnexpectedEOF {
			return FormatError("truncated header: file ends inside a chunk header")
		}
		if err != nil {
			return fmt.Errorf("reading WAV chunk header: %w", err)
		}
		id := string(ch[:4])
		size := int64(binary.LittleEndian.Uint32(ch[4:]))
		switch id {
		case "ds64":
			if !rf64 {
				break
			}
			if size < 24 {
				return FormatError(fmt.Sprintf("ds64 chunk of %d bytes, want at least 24", size))
			}
			var b [24]byte
			if err := d.readFull(b[:], "ds64 chunk"); err != nil {
				return err
			}
			v := binary.LittleEndian.Uint64(b[8:16])
			if v > math.MaxInt64/2 {
				return FormatError(fmt.Sprintf("absurd ds64 data size %d", v))
			}
			ds64Data = int64(v)
			size -= 24
		case "fmt ":
			if haveFmt {
				return FormatError("two fmt chunks")
			}
			if err := d.readFmt(size); err != nil {
				return err
			}
			haveFmt = true
			size = 0
		case "data":
			if !haveFmt {
				return FormatError("data chunk before fmt chunk")
			}
			d.startData(size, rf64, ds64Data)
			return nil
		}
		if err := d.skip(size+size&1, fmt.Sprintf("%q chunk", id)); err != nil {
			return err
		}
	}
}

func (d *Decoder) readFmt(size int64) error {
	if size < 16 {
		return FormatError(fmt.Sprintf("fmt chunk of %d bytes, want at least 16", size))
	}
	b := make([]byte, min(size, 40))
	if err := d.readFull(b, "fmt chunk"); err != nil {
		return err
	}
	if err := d.skip(size-int64(len(b))+size&1, "fmt chunk"); err != nil {
		return err
	}
	tag := Encoding(binary.LittleEndian.Uint16(b[0:]))
	d.channels = int(binary.LittleEndian.Uint16(b[2:]))
	rate := binary.LittleEndian.Uint32(b[4:])
	d.blockAlign = int(binary.LittleEndian.Uint16(b[12:]))
	d.bits = int(binary.LittleEndian.Uint16(b[14:]))
	d.validBits = d.bits
	d.enc = tag
	if tag == Extensible {
		d.extensible = true
		if len(b) < 40 || binary.LittleEndian.Uint16(b[16:]) < 22 {
			return FormatError("WAVE_FORMAT_EXTENSIBLE fmt chunk too short")
		}
		d.validBits = int(binary.LittleEndian.Uint16(b[18:]))
		if !bytes.Equal(b[26:40], subtypeGUIDTail) {
			return UnsupportedError(fmt.Sprintf("WAVE_FORMAT_EXTENSIBLE sub-format GUID % X", b[24:40]))
		}
		d.enc = Encoding(binary.LittleEndian.Uint16(b[24:]))
		if d.validBits == 0 {
			d.validBits = d.bits
		}
		if d.validBits > d.bits {
			return FormatError(fmt.Sprintf("%d valid bits in a %d-bit sample", d.validBits, d.bits))
		}
	}

	if d.channels == 0 {
		return FormatError("zero channels")
	}
	if d.channels > MaxChannels {
		return FormatError(fmt.Sprintf("absurd channel count %d (at most %d supported)", d.channels, MaxChannels))
	}
	if rate < audio.MinSampleRate || rate > audio.MaxSampleRate {
		return FormatError(fmt.Sprintf("absurd sample rate %d Hz (want %d..%d Hz)", rate, audio.MinSampleRate, audio.MaxSampleRate))
	}
	d.rate = int(rate)

	switch d.enc {
	case PCM:
		if d.bits < 1 || d.bits > 32 || (d.extensible && d.bits%8 != 0) {
			return UnsupportedError(fmt.Sprintf("%d-bit PCM", d.bits))
		}
	case IEEEFloat:
		if d.bits != 32 && d.bits != 64 {
			return UnsupportedError(fmt.Sprintf("%d-bit IEEE float", d.bits))
		}
	case ALaw, MuLaw:
		if d.bits != 8 {
			return UnsupportedError(fmt.Sprintf("%d-bit %s", d.bits, d.enc))
		}
	default:
		return UnsupportedError(fmt.Sprintf("%s encoding (only PCM, IEEE float, A-law and µ-law are supported)", d.enc))
	}
	// Samples that are not a whole number of bytes are stored left-justified
	// in whole bytes, so they decode like the next byte size.
	container := (d.bits + 7) / 8
	if want := d.channels * container; d.blockAlign != want {
		return FormatError(fmt.Sprintf("block align %d, want %d for %d channels of %d-bit samples", d.blockAlign, want, d.channels, d.bits))
	}
	d.bits = container * 8
	return nil
}

func (d *Decoder) startData(size int64, rf64 bool, ds64Data int64) {
	d.declared = size
	switch {
	case rf64 && size == sizeUnknown && ds64Data >= 0:
		d.declared = ds64Data
		d.remain, d.strict = ds64Data, true
	case size == sizeUnknown:
		d.remain, d.strict = -1, false
	case size >= streamSizeMin:
		d.remain, d.strict = size, false
	default:
		d.remain, d.strict = size, true
	}
	if d.strict {
		d.frames = d.declared / int64(d.blockAlign)
	}
	d.raw = make([]byte, frameBufFrames*d.blockAlign)
}

// Read decodes up to len(p) samples (one per frame, channels averaged) into p.
// It returns io.EOF after the last sample. If the input ends before the data
// chunk's declared size, or inside a frame, Read first returns the complete
// frames and then an error wrapping ErrTruncated.
func (d *Decoder) Read(p []float32) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	ba := d.blockAlign
	for {
		if avail := (d.end - d.off) / ba; avail > 0 {
			nf := min(avail, len(p))
			d.convert(d.raw[d.off:d.off+nf*ba], p[:nf])
			d.off += nf * ba
			return nf, nil
		}
		if d.inEOF || d.inErr != nil || d.remain == 0 {
			d.err = d.endError()
			return 0, d.err
		}
		// Refill: keep the partial frame, read more.
		d.end = copy(d.raw, d.raw[d.off:d.end])
		d.off = 0
		want := int64(len(d.raw) - d.end)
		if d.remain >= 0 {
			want = min(want, d.remain)
		}
		n, err := d.r.Read(d.raw[d.end : d.end+int(want)])
		d.end += n
		d.readBytes += int64(n)
		if d.remain >= 0 {
			d.remain -= int64(n)
		}
		if err == io.EOF {
			d.inEOF = true
		} else if err != nil {
			d.inErr = err
		}
	}
}

func (d *Decoder) endError() error {
	switch {
	case d.inErr != nil:
		return fmt.Errorf("reading WAV data: %w", d.inErr)
	case d.strict && d.remain > 0:
		return fmt.Errorf("WAV data chunk ends after %d of %d declared bytes: %w", d.readBytes, d.declared, ErrTruncated)
	case d.end > d.off:
		return fmt.Errorf("WAV data ends inside a sample frame (%d stray bytes): %w", d.end-d.off, ErrTruncated)
	}
	return io.EOF
}

// Sample conversion.

var aLawTable, muLawTable [256]float32

func init() {
	for i := range 256 {
		// G.711 A-law: invert even bits, then sign/exponent/mantissa.
		a := byte(i) ^ 0x55
		exp := int(a>>4) & 7
		mant := int(a & 0x0F)
		var v int
		if exp == 0 {
			v = mant<<4 + 8
		} else {
			v = (mant<<4 + 0x108) << (exp - 1)
		}
		if a&0x80 == 0 {
			v = -v
		}
		aLawTable[i] = float32(v) / 32768

		// G.711 µ-law.
		u := ^byte(i)
		exp = int(u>>4) & 7
		mant = int(u & 0x0F)
		v = ((mant << 3) + 0x84) << exp
		v -= 0x84
		if u&0x80 != 0 {
			v = -v
		}
		muLawTable[i] = float32(v) / 32768
	}
}

func clampFloat(v float64) float32 {
	switch {
	case v > 1:
		return 1
	case v < -1:
		return -1
	case v != v: // NaN
		return 0
	}
	return float32(v)
}

// sampleAt decodes the sample starting at b[0] as a float in [-1, 1].
func (d *Decoder) sampleAt(b []byte) float32 {
	switch d.enc {
	case PCM:
		switch d.bits {
		case 8:
			return float32(int(b[0])-128) / 128
		case 16:
			return float32(int16(binary.LittleEndian.Uint16(b))) / 32768
		case 24:
			v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
			return float32(v) / (1 << 23)
		case 32:
			return float32(float64(int32(binary.LittleEndian.Uint32(b))) / (1 << 31))
		}
	case IEEEFloat:
		if d.bits == 32 {
			return clampFloat(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))))
		}
		return clampFloat(math.Float64frombits(binary.LittleEndian.Uint64(b)))
	case ALaw:
		return aLawTable[b[0]]
	case MuLaw:
		return muLawTable[b[0]]
	}
	return 0
}

// convert decodes len(out) frames from raw, averaging the channels.
func (d *Decoder) convert(raw []byte, out []float32) {
	ba := d.blockAlign
	if d.channels == 1 && d.enc == PCM && d.bits == 16 {
		for i := range out {
			out[i] = float32(int16(binary.LittleEndian.Uint16(raw[2*i:]))) / 32768
		}
		return
	}
	step := d.bits / 8
	inv := 1 / float32(d.channels)
	for i := range out {
		f := raw[i*ba : (i+1)*ba]
		var sum float32
		for c := 0; c < len(f); c += step {
			sum += d.sampleAt(f[c:])
		}
		if d.channels > 1 {
			sum *= inv
		}
		out[i] = sum
	}
}

// IsFormatError reports whether err is or wraps a FormatError or an
// UnsupportedError.
func IsFormatError(err error) bool {
	var fe FormatError
	var ue UnsupportedError
	return errors.As(err, &fe) || errors.As(err, &ue)
}
