package audio

import (
	"errors"
	"io"
	"math"
	"testing"
)

func TestLevels(t *testing.T) {
	if RMS(nil) != 0 || Peak(nil) != 0 {
		t.Error("empty input must measure 0")
	}
	sq := []float32{0.5, -0.5, 0.5, -0.5}
	if RMS(sq) != 0.5 || Peak(sq) != 0.5 {
		t.Errorf("square: RMS %v peak %v", RMS(sq), Peak(sq))
	}
	s := sine(1000, 16000, 16000, 1)
	rms, peak := Level(s)
	if math.Abs(rms-(-3.0103)) > 0.001 || math.Abs(peak) > 0.05 {
		t.Errorf("full-scale sine: RMS %.4f dBFS, peak %.4f dBFS; want -3.0103, 0", rms, peak)
	}
	for _, c := range []struct{ x, want float64 }{
		{1, 0}, {0.1, -20}, {0, SilenceDBFS}, {-1, SilenceDBFS}, {1e-9, SilenceDBFS}, {math.NaN(), SilenceDBFS},
	} {
		if got := DBFS(c.x); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("DBFS(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if got := Peak([]float32{0.1, -0.9, 0.3}); got != float64(float32(0.9)) {
		t.Errorf("Peak = %v", got)
	}
}

type failingSource struct{ n int }

func (f *failingSource) SampleRate() int { return 8000 }
func (f *failingSource) Read(p []float32) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk on fire")
	}
	k := min(len(p), f.n)
	f.n -= k
	return k, nil
}

func TestReadAllAndSliceSource(t *testing.T) {
	in := make([]float32, 50000)
	for i := range in {
		in[i] = float32(i%100) / 100
	}
	s := NewSliceSource(in, 22050)
	if s.SampleRate() != 22050 || s.Len() != len(in) {
		t.Fatalf("rate %d len %d", s.SampleRate(), s.Len())
	}
	got, err := ReadAll(s)
	if err != nil || len(got) != len(in) || got[12345] != in[12345] {
		t.Fatalf("ReadAll: %d samples, %v", len(got), err)
	}
	if n, err := s.Read(make([]float32, 1)); n != 0 || err != io.EOF {
		t.Errorf("after the end: %d, %v", n, err)
	}
	got, err = ReadAll(NewSliceSource(nil, 16000))
	if err != nil || len(got) != 0 {
		t.Errorf("empty: %d, %v", len(got), err)
	}
	got, err = ReadAll(&failingSource{n: 1234})
	if err == nil || err.Error() != "disk on fire" || len(got) != 1234 {
		t.Errorf("failing source: %d samples, %v", len(got), err)
	}
}
