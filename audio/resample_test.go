package audio

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"testing"
)

func sine(freq float64, rate, n int, amp float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)+0.3))
	}
	return s
}

func resampleAll(t testing.TB, in []float32, from, to int) []float32 {
	t.Helper()
	out, err := ReadAll(Resample(NewSliceSource(in, from), to))
	if err != nil {
		t.Fatalf("resample %d->%d: %v", from, to, err)
	}
	return out
}

// fitSine least-squares fits a·cos+b·sin at freq to y and returns the fitted
// amplitude and the RMS of the residual.
func fitSine(y []float32, freq float64, rate int) (amp, resid float64) {
	var cc, ss, cs, yc, ys float64
	for i, v := range y {
		w := 2 * math.Pi * freq * float64(i) / float64(rate)
		c, s := math.Cos(w), math.Sin(w)
		cc += c * c
		ss += s * s
		cs += c * s
		yc += float64(v) * c
		ys += float64(v) * s
	}
	det := cc*ss - cs*cs
	a := (yc*ss - ys*cs) / det
	b := (ys*cc - yc*cs) / det
	var r float64
	for i, v := range y {
		w := 2 * math.Pi * freq * float64(i) / float64(rate)
		d := float64(v) - a*math.Cos(w) - b*math.Sin(w)
		r += d * d
	}
	return math.Hypot(a, b), math.Sqrt(r / float64(len(y)))
}

// middle drops 30 ms at both ends, where the stream edges disturb the output.
func middle(y []float32, rate int) []float32 {
	e := rate * 3 / 100
	return y[e : len(y)-e]
}

var ratePairs = [][2]int{
	{44100, 16000}, {48000, 16000}, {96000, 16000}, {22050, 16000},
	{11025, 16000}, {8000, 16000}, {32000, 16000}, {44100, 15997}, {16000, 44100},
}

func TestResampleStopband(t *testing.T) {
	for _, rp := range ratePairs {
		from, to := rp[0], rp[1]
		nyq := float64(min(from, to)) / 2
		worst := -300.0
		for _, rel := range []float64{1.0, 1.02, 1.1, 1.5, 2.5, 5.5} {
			f := nyq * rel
			if f >= float64(from)/2 {
				continue // not representable in the input
			}
			in := sine(f, from, from/2, 0.9)
			out := middle(resampleAll(t, in, from, to), to)
			db := 20 * math.Log10(RMS(out)/RMS(in))
			worst = math.Max(worst, db)
			if db > -60 {
				t.Errorf("%d->%d Hz: %.0f Hz sine (%.2f × Nyquist) only %.1f dB down, want ≤ -60 dB", from, to, f, rel, db)
			}
		}
		t.Logf("%d->%d Hz: stopband worst %.1f dB", from, to, worst)
	}
}

func TestResamplePassband(t *testing.T) {
	for _, rp := range ratePairs {
		from, to := rp[0], rp[1]
		nyq := float64(min(from, to)) / 2
		worstGain, worstResid := 0.0, -200.0
		for _, rel := range []float64{0.01, 0.1, 0.3, 0.5, 0.7, 0.8, 0.85, 0.9} {
			f := nyq * rel
			in := sine(f, from, from/4, 0.5)
			out := middle(resampleAll(t, in, from, to), to)
			amp, resid := fitSine(out, f, to)
			gainDB := 20 * math.Log10(amp/0.5)
			residDB := 20 * math.Log10(resid/(0.5/math.Sqrt2))
			worstGain = math.Max(worstGain, math.Abs(gainDB))
			worstResid = math.Max(worstResid, residDB)
			if math.Abs(gainDB) > 0.01 || residDB > -60 {
				t.Errorf("%d->%d Hz: %.0f Hz sine: gain %.4f dB (want ±0.01), residual %.1f dB (want ≤ -60)", from, to, f, gainDB, residDB)
			}
		}
		t.Logf("%d->%d Hz: passband worst |gain| %.4f dB, worst residual (aliases/images/noise) %.1f dB", from, to, worstGain, worstResid)
	}
}

func TestResampleLengthAndAlignment(t *testing.T) {
	for _, rp := range ratePairs {
		from, to := rp[0], rp[1]
		for _, n := range []int{0, 1, 7, 1000, 12345} {
			out := resampleAll(t, make([]float32, n), from, to)
			want := (int64(n)*int64(to) + int64(from) - 1) / int64(from)
			if int64(len(out)) != want {
				t.Errorf("%d->%d Hz, %d samples: got %d output samples, want %d", from, to, n, len(out), want)
			}
		}
		// An impulse in the middle must come out centred at the same time.
		in := make([]float32, from/10)
		in[from/20] = 1
		out := resampleAll(t, in, from, to)
		best := 0
		for i := range out {
			if out[i] > out[best] {
				best = i
			}
		}
		wantT := float64(from/20) / float64(from)
		if gotT := float64(best) / float64(to); math.Abs(gotT-wantT) > 1.0/float64(to) {
			t.Errorf("%d->%d Hz: impulse at %.6f s came out at %.6f s", from, to, wantT, gotT)
		}
	}
}

// chunkSource returns at most max samples per Read, sometimes with the error.
type chunkSource struct {
	s   *SliceSource
	max int
	end error
}

func (c *chunkSource) SampleRate() int { return c.s.SampleRate() }
func (c *chunkSource) Read(p []float32) (int, error) {
	if len(p) > c.max {
		p = p[:c.max]
	}
	n, err := c.s.Read(p)
	if err == io.EOF && c.end != nil {
		err = c.end
	}
	return n, err
}

func TestResampleChunkingInvariance(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	in := make([]float32, 30000)
	for i := range in {
		in[i] = float32(rng.Float64()*1.6 - 0.8)
	}
	want := resampleAll(t, in, 44100, 16000)
	for _, max := range []int{1, 3, 17, 4096, 100000} {
		for _, outChunk := range []int{1, 5, 160, 100000} {
			src := Resample(&chunkSource{s: NewSliceSource(in, 44100), max: max}, 16000)
			var got []float32
			buf := make([]float32, outChunk)
			for {
				n, err := src.Read(buf)
				got = append(got, buf[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("in chunk %d, out chunk %d: %d samples, want %d", max, outChunk, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("in chunk %d, out chunk %d: sample %d = %v, want %v", max, outChunk, i, got[i], want[i])
				}
			}
		}
	}
}

func TestResampleErrorFlushedThenReported(t *testing.T) {
	in := sine(440, 44100, 4410, 0.5)
	errBad := fmt.Errorf("x.wav: %w", ErrTruncated)
	out, err := ReadAll(Resample(&chunkSource{s: NewSliceSource(in, 44100), max: 1000, end: errBad}, 16000))
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("got error %v, want one wrapping ErrTruncated", err)
	}
	if len(out) != 1600 {
		t.Fatalf("got %d samples before the error, want 1600", len(out))
	}
	// The error is sticky.
	src := Resample(&chunkSource{s: NewSliceSource(nil, 44100), max: 1, end: errBad}, 16000)
	for i := 0; i < 2; i++ {
		if n, err := src.Read(make([]float32, 10)); n != 0 || !errors.Is(err, ErrTruncated) {
			t.Fatalf("read %d: got %d, %v", i, n, err)
		}
	}
}

func TestResamplePassthroughAndBadRates(t *testing.T) {
	s := NewSliceSource([]float32{1, 2}, 16000)
	if Resample(s, 16000) != Source(s) {
		t.Error("equal rates: want the source itself")
	}
	for _, rp := range [][2]int{{0, 16000}, {16000, 0}, {16000, -5}, {999, 16000}, {16000, 400000}} {
		src := Resample(NewSliceSource([]float32{0}, rp[0]), rp[1])
		if _, err := src.Read(make([]float32, 4)); err == nil || err == io.EOF {
			t.Errorf("%d->%d Hz: got %v, want an error", rp[0], rp[1], err)
		}
	}
}

func TestResampleOutputInRange(t *testing.T) {
	// A full-scale square wave makes the filter overshoot; output must stay in [-1, 1].
	in := make([]float32, 44100)
	for i := range in {
		in[i] = 1
		if (i/50)%2 == 1 {
			in[i] = -1
		}
	}
	for _, v := range resampleAll(t, in, 44100, 16000) {
		if v > 1 || v < -1 || v != v {
			t.Fatalf("sample %v out of range", v)
		}
	}
}

func BenchmarkResample44100To16000(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	in := make([]float32, 44100*10)
	for i := range in {
		in[i] = float32(rng.Float64() - 0.5)
	}
	out := make([]float32, 4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src := Resample(NewSliceSource(in, 44100), 16000)
		for {
			_, err := src.Read(out)
			if err != nil {
				break
			}
		}
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(10/sec, "x-realtime")
}
