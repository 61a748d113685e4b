package features

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"hark/asr"
)

const goldenPath = "../../testdata/features/golden.bin"

// readGolden loads the records written by testdata/features/reference.py.
func readGolden(t testing.TB) (map[string]asr.Matrix, []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(goldenPath))
	if err != nil {
		t.Fatalf("golden file missing (run /usr/bin/python3 testdata/features/reference.py): %v", err)
	}
	if len(b) < 8 || string(b[:4]) != "HKFG" {
		t.Fatal("golden file: bad magic")
	}
	count := int(binary.LittleEndian.Uint32(b[4:]))
	b = b[8:]
	out := make(map[string]asr.Matrix, count)
	var order []string
	for i := 0; i < count; i++ {
		if len(b) < 2 {
			t.Fatal("golden file truncated")
		}
		nl := int(binary.LittleEndian.Uint16(b))
		if len(b) < 2+nl+8 {
			t.Fatal("golden file truncated")
		}
		name := string(b[2 : 2+nl])
		b = b[2+nl:]
		rows, cols := int(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint32(b[4:]))
		b = b[8:]
		if len(b) < 4*rows*cols {
			t.Fatalf("golden record %s truncated", name)
		}
		m := asr.Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
		for j := range m.Data {
			m.Data[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
		}
		b = b[4*rows*cols:]
		out[name] = m
		order = append(order, name)
	}
	if len(b) != 0 {
		t.Fatalf("golden file: %d trailing bytes", len(b))
	}
	return out, order
}

// goldenConfigs maps a golden record kind to the Config that must reproduce it.
var goldenConfigs = map[string]Config{
	"nemo":             {},
	"nemo_norm":        {Normalize: true},
	"nemo_64":          {NumMels: 64},
	"kaldi":            {Preset: Kaldi},
	"kaldi_40":         {Preset: Kaldi, NumMels: 40},
	"kaldi_int16":      {Preset: Kaldi, ScaleInt16: true},
	"kaldi_int16_norm": {Preset: Kaldi, ScaleInt16: true, Normalize: true},
}

func mustNew(t testing.TB, cfg Config) *Extractor {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestGolden(t *testing.T) {
	golden, order := readGolden(t)
	checked := 0
	for _, name := range order {
		dir, kind := filepath.Split(name)
		if kind == "samples" {
			continue
		}
		cfg, ok := goldenConfigs[kind]
		if !ok {
			t.Errorf("%s: no config for golden kind %q", name, kind)
			continue
		}
		samples, ok := golden[dir+"samples"]
		if !ok {
			t.Fatalf("%s: no samples", name)
		}
		want := golden[name]
		got := mustNew(t, cfg).Compute(samples.Data)
		if got.Rows != want.Rows || got.Cols != want.Cols {
			t.Errorf("%s: got %dx%d, want %dx%d", name, got.Rows, got.Cols, want.Rows, want.Cols)
			continue
		}
		maxErr, at := 0.0, 0
		for i := range want.Data {
			if d := math.Abs(float64(got.Data[i] - want.Data[i])); d > maxErr || math.IsNaN(d) {
				maxErr, at = d, i
			}
		}
		if maxErr > 1e-3 || math.IsNaN(maxErr) {
			t.Errorf("%s: max abs error %.3g at frame %d bin %d (got %v want %v)",
				name, maxErr, at/want.Cols, at%want.Cols, got.Data[at], want.Data[at])
		}
		t.Logf("%-24s %4d frames  max abs error %.2g", name, want.Rows, maxErr)
		checked++
	}
	if checked < 30 {
		t.Errorf("only %d golden records checked", checked)
	}
}

func TestSilence(t *testing.T) {
	silence := make([]float32, 4000)
	for _, tc := range []struct {
		cfg  Config
		want float32
	}{
		{Config{}, float32(math.Log(math.Pow(2, -24)))},
		{Config{ScaleInt16: true}, float32(math.Log(math.Pow(2, -24)))},
		{Config{Preset: Kaldi}, float32(math.Log(1.1920929e-07))},
		{Config{Normalize: true}, 0},
		{Config{Preset: Kaldi, Normalize: true}, 0},
	} {
		m := mustNew(t, tc.cfg).Compute(silence)
		if m.Rows == 0 {
			t.Fatalf("%+v: no frames", tc.cfg)
		}
		for i, v := range m.Data {
			if v != tc.want {
				t.Fatalf("%+v: value %d = %v, want %v", tc.cfg, i, v, tc.want)
			}
		}
	}
}

func TestFrameCounts(t *testing.T) {
	nemo, kaldi := mustNew(t, Config{}), mustNew(t, Config{Preset: Kaldi})
	for _, tc := range []struct{ n, nemo, kaldi int }{
		{0, 0, 0}, {1, 1, 0}, {79, 1, 0}, {80, 1, 1}, {159, 1, 1}, {160, 2, 1}, {239, 2, 1},
		{240, 2, 2}, {300, 2, 2}, {16000, 101, 100}, {16080, 101, 101},
	} {
		samples := make([]float32, tc.n)
		for i := range samples {
			samples[i] = float32(math.Sin(float64(i)))
		}
		if got := nemo.Compute(samples); got.Rows != tc.nemo || got.Cols != 80 || len(got.Data) != tc.nemo*80 {
			t.Errorf("NeMo %d samples: %dx%d (%d values), want %d frames", tc.n, got.Rows, got.Cols, len(got.Data), tc.nemo)
		}
		if got := kaldi.Compute(samples); got.Rows != tc.kaldi || len(got.Data) != tc.kaldi*80 {
			t.Errorf("Kaldi %d samples: %d frames, want %d", tc.n, got.Rows, tc.kaldi)
		}
		if nemo.FrameCount(tc.n) != tc.nemo || kaldi.FrameCount(tc.n) != tc.kaldi {
			t.Errorf("FrameCount(%d) = %d, %d", tc.n, nemo.FrameCount(tc.n), kaldi.FrameCount(tc.n))
		}
	}
}

func TestEmptyAndOneSample(t *testing.T) {
	for _, cfg := range []Config{{}, {Normalize: true, PadTo: 8}, {Preset: Kaldi, Normalize: true, PadTo: 8}} {
		e := mustNew(t, cfg)
		if m := e.Compute(nil); m.Rows != 0 || len(m.Data) != 0 || m.Cols != 80 {
			t.Errorf("%+v: empty input gave %dx%d", cfg, m.Rows, m.Cols)
		}
		if got := e.NewStream().Flush(nil); len(got) != 0 {
			t.Errorf("%+v: empty stream gave %d values", cfg, len(got))
		}
	}
	// One sample: NeMo gives one finite frame, normalised to exactly zero; Kaldi none.
	m := mustNew(t, Config{}).Compute([]float32{0.5})
	if m.Rows != 1 || !allFinite(m.Data) {
		t.Fatalf("one sample: %d frames %v", m.Rows, m.Data)
	}
	if m.Data[0] <= float32(math.Log(math.Pow(2, -24))) {
		t.Errorf("one sample of 0.5: lowest bin %v is at the floor", m.Data[0])
	}
	m = mustNew(t, Config{Normalize: true, PadTo: 4}).Compute([]float32{0.5})
	if m.Rows != 4 {
		t.Fatalf("one sample padded to 4: %d rows", m.Rows)
	}
	for i, v := range m.Data {
		if v != 0 {
			t.Fatalf("one normalised frame: value %d = %v, want 0", i, v)
		}
	}
	if m := mustNew(t, Config{Preset: Kaldi}).Compute([]float32{0.5}); m.Rows != 0 {
		t.Errorf("Kaldi one sample: %d frames", m.Rows)
	}
}

func TestPadTo(t *testing.T) {
	golden, _ := readGolden(t)
	x := golden["speech/samples"].Data
	want := golden["speech/nemo_norm"]
	got := mustNew(t, Config{Normalize: true, PadTo: 16}).Compute(x)
	if got.Rows%16 != 0 || got.Rows < want.Rows || got.Rows >= want.Rows+16 {
		t.Fatalf("padded to %d rows from %d", got.Rows, want.Rows)
	}
	for i := 0; i < got.Rows; i++ {
		for j, v := range got.Row(i) {
			if i >= want.Rows {
				if v != 0 {
					t.Fatalf("pad frame %d bin %d = %v", i, j, v)
				}
			} else if d := math.Abs(float64(v - want.Row(i)[j])); d > 1e-3 {
				t.Fatalf("frame %d bin %d: %v vs %v", i, j, v, want.Row(i)[j])
			}
		}
	}
	// Already a multiple: no padding.
	if m := mustNew(t, Config{PadTo: 1}).Compute(x); m.Rows != want.Rows {
		t.Errorf("PadTo 1: %d rows, want %d", m.Rows, want.Rows)
	}
}

func TestNewErrors(t *testing.T) {
	for _, cfg := range []Config{{NumMels: -1}, {NumMels: 257}, {PadTo: -2}, {Preset: 7}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	e := mustNew(t, Config{Preset: Kaldi})
	if c := e.Config(); c.NumMels != 80 || c.Preset != Kaldi || e.NumMels() != 80 {
		t.Errorf("defaults not filled in: %+v", c)
	}
	if NeMo.String() != "nemo" || Kaldi.String() != "kaldi" || Preset(9).String() != "Preset(9)" {
		t.Error("Preset.String")
	}
}

func randomSignal(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	f := 100 + 3000*rng.Float64()
	for i := range x {
		x[i] = float32(0.3*math.Sin(2*math.Pi*f*float64(i)/SampleRate) + 0.05*rng.NormFloat64())
	}
	return x
}

func sameBits(a, b []float32) (int, bool) {
	if len(a) != len(b) {
		return -1, false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return 0, true
}

// streamAll feeds x to s in chunks whose sizes come from next and returns all frames.
func streamAll(s *Stream, x []float32, next func() int) []float32 {
	var out []float32
	for len(x) > 0 {
		k := min(next(), len(x))
		out = s.Write(out, x[:k])
		x = x[k:]
	}
	return s.Flush(out)
}

func TestStreamMatchesBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []int{0, 1, 2, 79, 80, 81, 119, 120, 121, 159, 160, 161, 201, 239, 240, 281, 300, 441, 1234, 16037}
	configs := []Config{{}, {Preset: Kaldi}, {Preset: Kaldi, ScaleInt16: true, NumMels: 40}, {ScaleInt16: true}}
	for _, cfg := range configs {
		e := mustNew(t, cfg)
		s := e.NewStream() // reused across utterances: Flush resets it
		for _, n := range lengths {
			x := randomSignal(rng, n)
			want := e.Compute(x).Data
			chunkers := map[string]func() int{
				"1":      func() int { return 1 },
				"161":    func() int { return 161 },
				"random": func() int { return rng.IntN(500) }, // includes empty writes
				"all":    func() int { return n + 1 },
			}
			for cname, next := range chunkers {
				got := streamAll(s, x, next)
				if i, ok := sameBits(got, want); !ok {
					t.Fatalf("%v n=%d chunks %s: stream differs from batch at %d (len %d vs %d)",
						cfg.Preset, n, cname, i, len(got), len(want))
				}
			}
		}
	}
}

func TestStreamEmitsEarlyAndStaysSmall(t *testing.T) {
	for _, cfg := range []Config{{}, {Preset: Kaldi}} {
		e := mustNew(t, cfg)
		s := e.NewStream()
		x := randomSignal(rand.New(rand.NewPCG(3, 4)), 3*SampleRate)
		var out []float32
		maxBuf := 0
		for i := range x {
			out = s.Write(out, x[i:i+1])
			maxBuf = max(maxBuf, len(s.buf))
			// A frame is out as soon as its last sample has arrived.
			if frames := len(out) / e.NumMels(); frames != e.emittable(i+1) {
				t.Fatalf("%v after %d samples: %d frames out, want %d", cfg.Preset, i+1, frames, e.emittable(i+1))
			}
		}
		if maxBuf > 2*WindowLength+2*HopLength {
			t.Errorf("%v: stream buffer grew to %d samples", cfg.Preset, maxBuf)
		}
		if len(out)/e.NumMels() < e.FrameCount(len(x))-3 {
			t.Errorf("%v: only %d frames before Flush", cfg.Preset, len(out)/e.NumMels())
		}
	}
}

// emittable counts the frames that depend only on the first n samples.
func (e *Extractor) emittable(n int) int {
	t := 0
	for e.frameEnd(t) <= n {
		t++
	}
	return t
}

func TestConcurrentUse(t *testing.T) {
	e := mustNew(t, Config{Normalize: true})
	x := randomSignal(rand.New(rand.NewPCG(5, 6)), 8000)
	want := e.Compute(x).Data
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 3; r++ {
				if i, ok := sameBits(e.Compute(x).Data, want); !ok {
					errs <- fmt.Errorf("concurrent Compute differs at %d", i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestFFTPower(t *testing.T) {
	p := newFFTPlan()
	rng := rand.New(rand.NewPCG(7, 8))
	var x [fftSize]float64
	var re, im [halfSize]float64
	var pow [numBins]float64
	for trial := 0; trial < 4; trial++ {
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		if trial == 0 {
			x = [fftSize]float64{}
			x[3] = 1 // impulse: flat unit spectrum
		}
		p.power(&x, &re, &im, &pow)
		for k := 0; k < numBins; k++ {
			var sr, si float64
			for n, v := range x {
				s, c := math.Sincos(-2 * math.Pi * float64(k*n%fftSize) / fftSize)
				sr += v * c
				si += v * s
			}
			want := sr*sr + si*si
			if math.Abs(pow[k]-want) > 1e-9*(1+want) {
				t.Fatalf("trial %d bin %d: %v, want %v", trial, k, pow[k], want)
			}
		}
	}
}

func TestFilterbanks(t *testing.T) {
	// Slaney-normalised filters have unit area in Hz: sum(w)·31.25 ≈ 1 for the upper
	// filters, which span enough bins to be sampled well; all are non-empty at 80 mels.
	for i, f := range slaneyFilters(80, SampleRate) {
		var s float64
		for _, w := range f.w {
			s += w
		}
		if len(f.w) == 0 || (i >= 50 && math.Abs(s*SampleRate/fftSize-1) > 0.02) {
			t.Errorf("Slaney filter %d: %d taps, area %.3f", i, len(f.w), s*SampleRate/fftSize)
		}
	}
	// Kaldi filters peak below 1, stay within 20..7600 Hz and never touch the Nyquist bin.
	for i, f := range kaldiFilters(80, SampleRate, 20, 7600) {
		if len(f.w) == 0 || f.start*SampleRate/fftSize < 20 || (f.start+len(f.w)-1)*SampleRate/fftSize > 7600 {
			t.Errorf("Kaldi filter %d: start %d, %d taps", i, f.start, len(f.w))
		}
		for _, w := range f.w {
			if w <= 0 || w > 1 {
				t.Errorf("Kaldi filter %d: weight %v", i, w)
			}
		}
	}
}

func allFinite(x []float32) bool {
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

// fuzzExtractors caches FuzzCompute's extractors by configuration.
var fuzzExtractors sync.Map

func FuzzCompute(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint16(1))
	f.Add([]byte{1, 2}, uint8(1), uint16(7))
	f.Add(make([]byte, 900), uint8(2), uint16(160))
	f.Add([]byte("\xff\x7f\x00\x80\xff\x7f\x00\x80\x12\x34"), uint8(3), uint16(33))
	f.Fuzz(func(t *testing.T, raw []byte, mode uint8, chunk uint16) {
		x := make([]float32, len(raw)/2)
		for i := range x {
			x[i] = float32(int16(binary.LittleEndian.Uint16(raw[2*i:]))) / 32768
		}
		cfg := Config{Preset: Preset(mode & 1), ScaleInt16: mode&2 != 0, Normalize: mode&4 != 0, PadTo: int(mode >> 4)}
		// Building an extractor (filterbank, FFT tables) dominated each execution: 36 a minute
		// (issue 17). There are only 128 configurations: build each once per process.
		var e *Extractor
		if v, ok := fuzzExtractors.Load(cfg); ok {
			e = v.(*Extractor)
		} else {
			e = mustNew(t, cfg)
			fuzzExtractors.Store(cfg, e)
		}
		m := e.Compute(x)
		if m.Rows < e.FrameCount(len(x)) || len(m.Data) != m.Rows*m.Cols || !allFinite(m.Data) {
			t.Fatalf("%+v, %d samples: %dx%d, finite %v", cfg, len(x), m.Rows, m.Cols, allFinite(m.Data))
		}
		if cfg.Normalize || cfg.PadTo > 0 {
			return
		}
		got := streamAll(e.NewStream(), x, func() int { return int(chunk%512) + 1 })
		if _, ok := sameBits(got, m.Data); !ok {
			t.Fatalf("%+v: stream with chunk %d differs from batch", cfg, chunk%512+1)
		}
	})
}

func benchmark(b *testing.B, cfg Config) {
	e := mustNew(b, cfg)
	x := randomSignal(rand.New(rand.NewPCG(9, 10)), 10*SampleRate)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.Compute(x)
	}
	b.ReportMetric(10*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}

func BenchmarkNeMo(b *testing.B)  { benchmark(b, Config{}) }
func BenchmarkKaldi(b *testing.B) { benchmark(b, Config{Preset: Kaldi}) }

func BenchmarkStreamNeMo(b *testing.B) {
	e := mustNew(b, Config{})
	x := randomSignal(rand.New(rand.NewPCG(9, 10)), 10*SampleRate)
	s := e.NewStream()
	var out []float32
	b.ResetTimer()
	for b.Loop() {
		out = out[:0]
		for i := 0; i < len(x); i += 320 {
			out = s.Write(out, x[i:min(i+320, len(x))])
		}
		out = s.Flush(out)
	}
	b.ReportMetric(10*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}

func TestLn(t *testing.T) {
	for x := 1e-9; x < 1e15; x *= 1.00037 {
		if d := math.Abs(ln(x) - math.Log(x)); d > 1e-12 {
			t.Fatalf("ln(%g) = %.17g, want %.17g", x, ln(x), math.Log(x))
		}
	}
	for _, x := range []float64{0, -1, math.Inf(1), math.NaN(), 5e-324, math.MaxFloat64} {
		if got, want := ln(x), math.Log(x); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("ln(%g) = %v, want %v", x, got, want)
		}
	}
}
