package audio_test

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"hark/audio"
	"hark/audio/wav"
)

func readWAV(t *testing.T, path string) ([]float32, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := wav.NewDecoder(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	s, err := audio.ReadAll(d)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s, d.SampleRate()
}

// TestResampleMatchesSox resamples an exponential sine sweep with sox
// (`rate -v`) and with Resample. Where the sweep is inside our passband the
// two must agree; where it is above the output Nyquist frequency our output
// must be at least 60 dB down.
func TestResampleMatchesSox(t *testing.T) {
	sox, err := exec.LookPath("sox")
	if err != nil {
		t.Skip("sox is not installed; install it (apt-get install sox) to compare the resampler with sox (CI installs it)")
	}
	const (
		out   = 16000
		dur   = 3.0
		f1    = 20.0
		level = 0.5 // -6 dBFS
	)
	dir := t.TempDir()
	for _, in := range []int{44100, 48000, 22050} {
		f2 := math.Floor(0.99 * float64(in) / 2)
		sweep := filepath.Join(dir, fmt.Sprintf("sweep%d.wav", in))
		ref := filepath.Join(dir, fmt.Sprintf("ref%d.wav", in))
		for _, args := range [][]string{
			{"-n", "-r", fmt.Sprint(in), "-b", "32", "-e", "floating-point", sweep, "synth", fmt.Sprint(dur), "sine", fmt.Sprintf("%g/%g", f1, f2), "gain", "-6.0206"},
			{sweep, "-b", "32", "-e", "floating-point", ref, "rate", "-v", fmt.Sprint(out)},
		} {
			if b, err := exec.Command(sox, args...).CombinedOutput(); err != nil {
				t.Fatalf("sox %v: %v\n%s", args, err, b)
			}
		}
		x, _ := readWAV(t, sweep)
		want, _ := readWAV(t, ref)
		got, err := audio.ReadAll(audio.Resample(audio.NewSliceSource(x, in), out))
		if err != nil {
			t.Fatal(err)
		}
		if d := len(got) - len(want); d < -1 || d > 1 {
			t.Fatalf("%d Hz: %d samples, sox made %d", in, len(got), len(want))
		}
		// Time at which the sweep reaches frequency f.
		at := func(f float64) float64 { return dur * math.Log(f/f1) / math.Log(f2/f1) }
		idx := func(sec float64) int { return int(sec * out) }

		lo, hi := idx(0.02), idx(at(0.9*out/2)-0.01)
		var maxDiff, sumSq float64
		for i := lo; i < hi; i++ {
			d := math.Abs(float64(got[i] - want[i]))
			maxDiff = math.Max(maxDiff, d)
			sumSq += d * d
		}
		rmsDiff := math.Sqrt(sumSq / float64(hi-lo))
		dB := func(v float64) float64 { return 20 * math.Log10(v/level) }
		t.Logf("%d→%d Hz passband (20 Hz..%.0f Hz): max |ours−sox| %.2g (%.1f dB re. signal), RMS diff %.2g (%.1f dB)",
			in, out, 0.9*out/2, maxDiff, dB(maxDiff), rmsDiff, dB(rmsDiff))
		if dB(maxDiff) > -60 || dB(rmsDiff) > -70 {
			t.Errorf("%d Hz: resampler differs from sox in the passband: max %.1f dB, RMS %.1f dB (want ≤ -60, ≤ -70)", in, dB(maxDiff), dB(rmsDiff))
		}

		if f2 > 1.05*out/2 {
			lo, hi = idx(at(1.05*out/2)+0.01), min(len(got), idx(dur-0.01))
			stop := audio.RMS(got[lo:hi])
			sig := level / math.Sqrt2
			t.Logf("%d→%d Hz stopband (%.0f..%.0f Hz): our output %.1f dB re. input, sox %.1f dB",
				in, out, 1.05*out/2, f2, 20*math.Log10(stop/sig), 20*math.Log10(audio.RMS(want[lo:hi])/sig))
			if 20*math.Log10(stop/sig) > -60 {
				t.Errorf("%d Hz: stopband only %.1f dB down", in, 20*math.Log10(stop/sig))
			}
		}
	}
}
