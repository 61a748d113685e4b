package audio

import (
	"fmt"
	"math"
)

// Resampler design. The output is band-limited to the lower of the two
// Nyquist frequencies: the response is flat (ripple below ±0.003 dB) up to
// 90 % of that Nyquist frequency and at least resampleAttenDB down from the
// Nyquist frequency on, so nothing above the output Nyquist frequency aliases
// into the output when downsampling, and no images appear when upsampling.
const (
	resamplePassband = 0.90 // passband edge, fraction of the lower Nyquist frequency
	resampleAttenDB  = 70.0 // Kaiser design stopband attenuation
	// The resampler accepts rates in this range; Hark's decoders restrict
	// input further to MinSampleRate..MaxSampleRate.
	minResampleRate = 1000
	maxResampleRate = 384000
	// Exact polyphase tables (one phase per output position modulo the
	// reduced ratio) are used while they stay small; otherwise a table of
	// minInterpPhases..maxInterpPhases rows is linearly interpolated.
	maxExactPhases     = 4096
	maxTableCoeffs     = 1 << 20
	minInterpPhases    = 64
	maxInterpPhases    = 1024
	resampleReadChunk  = 4096
	resampleTapsUnroll = 8
)

// Resample returns a Source that yields src resampled to rate with a
// band-limited (Kaiser-windowed sinc, polyphase) filter. If src already has
// that rate, src itself is returned.
//
// The output is aligned with the input (the filter delay is compensated) and
// holds ceil(n·rate/src.SampleRate()) samples for n input samples. Memory use
// is bounded by the filter size, independent of the stream length. If src
// ends with an error other than io.EOF, the buffered input is flushed first
// and that error is returned in place of io.EOF.
//
// Both rates must lie in 1000..384000 Hz; otherwise every Read returns an
// error.
func Resample(src Source, rate int) Source {
	in := src.SampleRate()
	if in == rate {
		return src
	}
	for _, r := range []int{in, rate} {
		if r < minResampleRate || r > maxResampleRate {
			return &errSource{rate: rate, err: fmt.Errorf("audio: cannot resample %d Hz to %d Hz: rates must be %d..%d Hz", in, rate, minResampleRate, maxResampleRate)}
		}
	}
	return newResampler(src, rate)
}

type resampler struct {
	src     Source
	outRate int

	// Input position of the next output sample: ipos + frac/l input samples.
	// Each output advances by m/l input samples (l = out/g, m = in/g).
	l, m              int64
	stepInt, stepFrac int64
	ipos, frac        int64
	half, taps        int // taps = 2*half coefficients per output sample
	table             []float32
	phases            int  // rows in table (l if exact, else interpolated phases)
	exact             bool // table row = frac; else interpolate rows
	buf               []float32
	base              int64 // absolute input index of buf[0]
	nIn               int64 // input samples read so far
	srcDone           bool
	srcErr            error // terminal error of src (io.EOF or another)
	err               error // sticky error returned once output is exhausted
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// besselI0 is the zeroth-order modified Bessel function of the first kind.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 500; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

func newResampler(src Source, rate int) *resampler {
	in := int64(src.SampleRate())
	out := int64(rate)
	g := gcd(in, out)
	r := &resampler{src: src, outRate: rate, l: out / g, m: in / g}
	r.stepInt, r.stepFrac = r.m/r.l, r.m%r.l

	// Filter design in units of input samples.
	nyq := 0.5 * float64(min(in, out)) / float64(in) // lower Nyquist, cycles per input sample
	fp := resamplePassband * nyq
	fs := nyq
	fc := (fp + fs) / 2
	beta := 0.1102 * (resampleAttenDB - 8.7)
	order := (resampleAttenDB - 7.95) / (2.285 * 2 * math.Pi * (fs - fp))
	// Taps cover input indices ipos-half+1 .. ipos+half; the window's half
	// width must not exceed half-1 so every phase sees the whole kernel.
	half := int(math.Ceil(order/2)) + 1
	half = (half + resampleTapsUnroll/2 - 1) / (resampleTapsUnroll / 2) * (resampleTapsUnroll / 2)
	r.half, r.taps = half, 2*half
	ht := float64(half - 1)
	i0b := besselI0(beta)
	kernel := func(t float64) float64 {
		if math.Abs(t) >= ht {
			return 0
		}
		u := t / ht
		w := besselI0(beta*math.Sqrt(1-u*u)) / i0b
		x := 2 * fc * t
		s := 1.0
		if x != 0 {
			s = math.Sin(math.Pi*x) / (math.Pi * x)
		}
		return 2 * fc * s * w
	}

	if r.l <= maxExactPhases && r.l*int64(r.taps) <= maxTableCoeffs {
		r.exact = true
		r.phases = int(r.l)
	} else {
		p := maxTableCoeffs / r.taps
		r.phases = min(max(p, minInterpPhases), maxInterpPhases)
	}
	rows := r.phases
	if !r.exact {
		rows++ // row phases is needed for interpolation at the top end
	}
	r.table = make([]float32, rows*r.taps)
	row := make([]float64, r.taps)
	for p := 0; p < rows; p++ {
		off := float64(p) / float64(r.phases)
		var sum float64
		for j := range row {
			row[j] = kernel(off + float64(half-1-j))
			sum += row[j]
		}
		// Normalise each phase to unity DC gain.
		for j, v := range row {
			r.table[p*r.taps+j] = float32(v / sum)
		}
	}

	r.buf = make([]float32, half-1, 2*r.taps+resampleReadChunk)
	r.base = -int64(half - 1)
	return r
}

func (r *resampler) SampleRate() int { return r.outRate }

// fill reads more input into the buffer, dropping samples no longer needed.
func (r *resampler) fill() {
	first := r.ipos - int64(r.half) + 1 // oldest input index still needed
	if drop := int(first - r.base); drop > 0 && drop >= len(r.buf)/2 {
		n := copy(r.buf, r.buf[drop:])
		r.buf = r.buf[:n]
		r.base += int64(drop)
	}
	if r.srcDone {
		// Append zeros past the end so the last outputs see a full window.
		r.buf = append(r.buf, make([]float32, r.taps)...)
		return
	}
	if len(r.buf) == cap(r.buf) {
		r.buf = append(r.buf, 0)[:len(r.buf)]
	}
	n, err := r.src.Read(r.buf[len(r.buf):cap(r.buf)])
	if n < 0 || n > cap(r.buf)-len(r.buf) {
		n, err = 0, fmt.Errorf("audio: source returned invalid count %d", n)
	}
	r.buf = r.buf[:len(r.buf)+n]
	r.nIn += int64(n)
	if err != nil {
		r.srcDone, r.srcErr = true, err
	}
}

// Read fills p with resampled output.
func (r *resampler) Read(p []float32) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n := 0
	for n < len(p) {
		if r.srcDone && r.ipos >= r.nIn {
			r.err = r.srcErr
			if n > 0 {
				return n, nil
			}
			return 0, r.err
		}
		// Produce as many outputs as the buffered input allows.
		avail := r.base + int64(len(r.buf)) // one past the last buffered index
		for n < len(p) && r.ipos+int64(r.half) < avail && !(r.srcDone && r.ipos >= r.nIn) {
			start := int(r.ipos - int64(r.half) + 1 - r.base)
			x := r.buf[start : start+r.taps]
			if r.exact {
				row := int(r.frac) * r.taps
				p[n] = dot(r.table[row:row+r.taps], x)
			} else {
				f := float64(r.frac) * float64(r.phases) / float64(r.l)
				q := int(f)
				a := float32(f - float64(q))
				row := q * r.taps
				y0 := dot(r.table[row:row+r.taps], x)
				y1 := dot(r.table[row+r.taps:row+2*r.taps], x)
				p[n] = y0 + a*(y1-y0)
			}
			// Keep the Source contract despite filter overshoot.
			if p[n] > 1 {
				p[n] = 1
			} else if p[n] < -1 {
				p[n] = -1
			}
			n++
			r.ipos += r.stepInt
			r.frac += r.stepFrac
			if r.frac >= r.l {
				r.frac -= r.l
				r.ipos++
			}
		}
		if n == len(p) {
			break
		}
		if !(r.srcDone && r.ipos >= r.nIn) {
			r.fill()
		}
	}
	return n, nil
}

// dot returns the inner product of a and b; len(a) is a multiple of 8 and
// len(b) >= len(a).
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	for len(a) >= 8 && len(b) >= 8 {
		s0 += a[0]*b[0] + a[4]*b[4]
		s1 += a[1]*b[1] + a[5]*b[5]
		s2 += a[2]*b[2] + a[6]*b[6]
		s3 += a[3]*b[3] + a[7]*b[7]
		a, b = a[8:], b[8:]
	}
	return (s0 + s1) + (s2 + s3)
}
