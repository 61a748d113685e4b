package features

import (
	"errors"
	"fmt"
	"math"

	"hark/asr"
)

// SampleRate is the only input rate the front-end accepts, in Hz.
const SampleRate = 16000

// HopLength is the frame shift in samples (10 ms) for both presets.
const HopLength = 160

// WindowLength is the analysis window in samples (25 ms) for both presets.
const WindowLength = 400

// DefaultNumMels is the number of mel bins used when Config.NumMels is zero.
const DefaultNumMels = 80

// Preset selects whose front-end the Extractor reproduces.
type Preset int

const (
	// NeMo matches NeMo's AudioToMelSpectrogramPreprocessor at inference (dither 0):
	// pre-emphasis 0.97 over the whole signal, centred 512-point STFT with zero padding,
	// symmetric Hann window of 400, power spectrum, Slaney-normalised Slaney-scale mel
	// filters from 0 to 8 kHz and ln(mel + 2⁻²⁴). Frames: 1 + len/160 (none for empty input).
	NeMo Preset = iota
	// Kaldi matches Kaldi compute-fbank / kaldi-native-fbank defaults (dither 0,
	// snip_edges=false): reflected edges, per-frame DC removal and pre-emphasis 0.97, Povey
	// window, power spectrum, HTK-mel triangles from 20 Hz to 7600 Hz without area
	// normalisation and ln(max(mel, float32 epsilon)). Frames: (len + 80)/160.
	Kaldi
)

func (p Preset) String() string {
	switch p {
	case NeMo:
		return "nemo"
	case Kaldi:
		return "kaldi"
	}
	return fmt.Sprintf("Preset(%d)", int(p))
}

// Config selects and tunes a front-end. The zero value is NeMo's default 80-bin log-mel
// without normalisation.
type Config struct {
	Preset Preset
	// NumMels is the number of mel bins (1..256); 0 means DefaultNumMels.
	NumMels int
	// Normalize applies NeMo's "per_feature" normalisation to the whole utterance in
	// Compute: per mel bin, subtract the mean over frames and divide by the unbiased
	// (n-1) standard deviation plus 1e-5 (a single frame has standard deviation 0).
	// Streams never normalise.
	Normalize bool
	// PadTo, when positive, makes Compute append zero frames (after normalisation) until
	// the frame count is a multiple of PadTo, as NeMo's pad_to. Streams never pad.
	PadTo int
	// ScaleInt16 multiplies the samples by 32768 before analysis, so that floats in [-1,1]
	// are analysed as 16-bit integers would be. Kaldi-trained fbank models (those used by
	// sherpa-onnx) expect this; with it every Kaldi log energy above the floor rises by
	// ln(32768²) ≈ 20.79. NeMo models expect it off.
	ScaleInt16 bool
}

// Extractor computes log-mel features. Its tables are read-only after New, so one
// Extractor may be used by any number of goroutines at once; each Compute call and each
// Stream has its own scratch space.
type Extractor struct {
	cfg     Config
	nMels   int
	scale   float64
	window  []float64 // WindowLength taps
	filters []melFilter
	fft     *fftPlan
}

// New builds an Extractor for cfg.
func New(cfg Config) (*Extractor, error) {
	if cfg.NumMels == 0 {
		cfg.NumMels = DefaultNumMels
	}
	if cfg.NumMels < 0 || cfg.NumMels > 256 {
		return nil, fmt.Errorf("features: NumMels %d out of range 1..256", cfg.NumMels)
	}
	if cfg.PadTo < 0 || cfg.PadTo > 1024 {
		return nil, errors.New("features: PadTo out of range 0..1024")
	}
	e := &Extractor{cfg: cfg, nMels: cfg.NumMels, scale: 1, fft: newFFTPlan()}
	if cfg.ScaleInt16 {
		e.scale = 32768
	}
	switch cfg.Preset {
	case NeMo:
		e.window = symmetricHann(WindowLength)
		e.filters = slaneyFilters(cfg.NumMels, SampleRate)
	case Kaldi:
		e.window = poveyWindow(WindowLength)
		e.filters = kaldiFilters(cfg.NumMels, SampleRate, 20, SampleRate/2-400)
	default:
		return nil, fmt.Errorf("features: unknown preset %v", cfg.Preset)
	}
	return e, nil
}

// Config returns the configuration in use, with defaults filled in.
func (e *Extractor) Config() Config { return e.cfg }

// NumMels is the number of values per frame.
func (e *Extractor) NumMels() int { return e.nMels }

// FrameCount is the number of frames Compute returns for n samples, before PadTo.
func (e *Extractor) FrameCount(n int) int {
	if n <= 0 {
		return 0
	}
	if e.cfg.Preset == Kaldi {
		return (n + HopLength/2) / HopLength
	}
	return 1 + n/HopLength
}

// frameEnd is one past the last sample index frame t reads. Once that many samples are
// known, frame t no longer depends on how the signal ends.
func (e *Extractor) frameEnd(t int) int {
	if e.cfg.Preset == Kaldi {
		return t*HopLength + 280 // starts at 160t-120, 400 long
	}
	return t*HopLength + WindowLength/2 // window centred on 160t
}

// frameFirst is the first sample index frame t reads (pre-emphasis included); may be negative.
func (e *Extractor) frameFirst(t int) int {
	if e.cfg.Preset == Kaldi {
		return t*HopLength - 120
	}
	return t*HopLength - WindowLength/2 - 1
}

// Compute returns the features of a whole utterance: Rows frames of NumMels log-mel values,
// normalised and padded as configured. Empty input gives zero rows. Samples are expected to
// be finite, nominally in [-1, 1]; they are not clipped.
func (e *Extractor) Compute(samples []float32) asr.Matrix {
	frames := e.FrameCount(len(samples))
	rows := frames
	if k := e.cfg.PadTo; k > 0 && rows%k != 0 {
		rows += k - rows%k
	}
	m := asr.Matrix{Rows: rows, Cols: e.nMels, Data: make([]float32, rows*e.nMels)}
	var sc scratch
	for t := 0; t < frames; t++ {
		e.frame(t, samples, 0, len(samples), m.Data[t*e.nMels:(t+1)*e.nMels], &sc)
	}
	if e.cfg.Normalize {
		normalize(m.Data[:frames*e.nMels], frames, e.nMels)
	}
	return m
}

// normalize applies per-feature (per column) mean and variance normalisation in place.
func normalize(data []float32, rows, cols int) {
	if rows == 0 {
		return
	}
	for c := 0; c < cols; c++ {
		var sum float64
		for r := 0; r < rows; r++ {
			sum += float64(data[r*cols+c])
		}
		mean := sum / float64(rows)
		var ss float64
		for r := 0; r < rows; r++ {
			d := float64(data[r*cols+c]) - mean
			ss += d * d
		}
		std := 0.0
		if rows > 1 {
			std = math.Sqrt(ss / float64(rows-1))
		}
		den := std + 1e-5
		for r := 0; r < rows; r++ {
			data[r*cols+c] = float32((float64(data[r*cols+c]) - mean) / den)
		}
	}
}

// scratch is the per-call working memory of frame.
type scratch struct {
	buf    [fftSize]float64
	re, im [halfSize]float64
	pow    [numBins]float64
}

const (
	preemph    = 0.97
	nemoGuard  = 1.0 / (1 << 24)        // NeMo's log_zero_guard_value, 2⁻²⁴
	kaldiFloor = 1.1920928955078125e-07 // float32 machine epsilon
)

// frame computes frame t into out. src holds samples base, base+1, … of a signal whose
// length is n (src covers every index the frame reads inside [0, n)). The same function
// serves batch and streaming, so both give bit-identical results.
func (e *Extractor) frame(t int, src []float32, base, n int, out []float32, sc *scratch) {
	buf := &sc.buf
	if e.cfg.Preset == Kaldi {
		e.kaldiWindow(t, src, base, n, buf)
	} else {
		e.nemoWindow(t, src, base, n, buf)
	}
	e.fft.power(buf, &sc.re, &sc.im, &sc.pow)
	pow := sc.pow[:]
	for m, f := range e.filters {
		p := pow[f.start : f.start+len(f.w)]
		var s float64
		for k, w := range f.w {
			s += w * p[k]
		}
		if e.cfg.Preset == Kaldi {
			s = math.Max(s, kaldiFloor)
		} else {
			s += nemoGuard
		}
		out[m] = float32(ln(s))
	}
}

// nemoWindow fills buf with the windowed, pre-emphasised, zero-padded 512-sample frame t:
// padded-signal samples [160t, 160t+512) where the signal is y[i] = x[i] - 0.97·x[i-1]
// (y[0] = x[0]) with 256 zeros on each side; the 400-tap window sits at offset 56.
func (e *Extractor) nemoWindow(t int, src []float32, base, n int, buf *[fftSize]float64) {
	const off = (fftSize - WindowLength) / 2
	clear(buf[:off])
	clear(buf[off+WindowLength:])
	start := t*HopLength - WindowLength/2
	w := e.window
	sc := e.scale
	dst := buf[off : off+WindowLength]
	if start >= 1 && start+WindowLength <= n {
		// Interior frame: no edge handling.
		x := src[start-1-base : start+WindowLength-base]
		for i := range dst {
			y := float64(x[i+1])*sc - preemph*(float64(x[i])*sc)
			dst[i] = y * w[i]
		}
		return
	}
	for i := range dst {
		s := start + i
		var y float64
		if s >= 0 && s < n {
			y = float64(src[s-base]) * sc
			if s > 0 {
				y -= preemph * (float64(src[s-1-base]) * sc)
			}
		}
		dst[i] = y * w[i]
	}
}

// kaldiWindow fills buf with Kaldi's processed frame t: samples [160t-120, 160t+280) with
// out-of-range indices reflected, DC removed, pre-emphasised, Povey-windowed, zero-padded.
func (e *Extractor) kaldiWindow(t int, src []float32, base, n int, buf *[fftSize]float64) {
	start := t*HopLength - 120
	dst := buf[:WindowLength]
	sc := e.scale
	if start >= 0 && start+WindowLength <= n {
		x := src[start-base : start+WindowLength-base]
		for i := range dst {
			dst[i] = float64(x[i]) * sc
		}
	} else {
		for i := range dst {
			s := start + i
			for s < 0 || s >= n {
				if s < 0 {
					s = -s - 1
				} else {
					s = 2*n - 1 - s
				}
			}
			dst[i] = float64(src[s-base]) * sc
		}
	}
	var sum float64
	for _, v := range dst {
		sum += v
	}
	mean := sum / WindowLength
	// DC removal, pre-emphasis (Kaldi's backwards in-place loop, written forwards with the
	// previous DC-free sample kept aside) and windowing in one pass.
	w := e.window[:len(dst)]
	prev := dst[0] - mean
	dst[0] = (prev - preemph*prev) * w[0]
	for i := 1; i < len(dst); i++ {
		cur := dst[i] - mean
		dst[i] = (cur - preemph*prev) * w[i]
		prev = cur
	}
	clear(buf[WindowLength:])
}
