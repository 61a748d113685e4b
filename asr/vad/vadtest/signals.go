package vadtest

import (
	"math"
	"math/rand/v2"
)

// Rate is the sample rate of every generated signal.
const Rate = 16000

func n(seconds float64) int { return int(seconds * Rate) }

func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// Silence returns seconds of digital silence.
func Silence(seconds float64) []float32 { return make([]float32, n(seconds)) }

// White returns Gaussian white noise with the given RMS amplitude.
func White(seconds, rms float64, seed uint64) []float32 {
	r := rng(seed)
	x := make([]float32, n(seconds))
	for i := range x {
		x[i] = float32(r.NormFloat64() * rms)
	}
	return x
}

// Pink returns 1/f noise (Paul Kellet's filter on white noise) scaled to the given RMS.
func Pink(seconds, rms float64, seed uint64) []float32 {
	r := rng(seed)
	x := make([]float64, n(seconds))
	var b0, b1, b2, b3, b4, b5, b6 float64
	for i := range x {
		w := r.NormFloat64()
		b0 = 0.99886*b0 + w*0.0555179
		b1 = 0.99332*b1 + w*0.0750759
		b2 = 0.96900*b2 + w*0.1538520
		b3 = 0.86650*b3 + w*0.3104856
		b4 = 0.55000*b4 + w*0.5329522
		b5 = -0.7616*b5 - w*0.0168980
		x[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w*0.5362
		b6 = w * 0.115926
	}
	return scale(x, rms)
}

// Hum returns mains hum: a fundamental (50 or 60 Hz) with decaying harmonics up to 1 kHz,
// as a transformer or a badly grounded cable makes, at the given RMS.
func Hum(seconds, fundamental, rms float64) []float32 {
	x := make([]float64, n(seconds))
	for h := 1; float64(h)*fundamental <= 1000; h++ {
		a := 1 / float64(h)
		if h%2 == 0 {
			a *= 1.5 // rectifier buzz: even harmonics are strong
		}
		w := 2 * math.Pi * fundamental * float64(h) / Rate
		ph := float64(h) * 0.7
		for i := range x {
			x[i] += a * math.Sin(w*float64(i)+ph)
		}
	}
	return scale(x, rms)
}

// Typing returns keyboard clicks: each keystroke is a press and a release click 60–120 ms
// apart, keys come 90–300 ms apart, with a quiet noise floor between them. peak is the
// clicks' peak amplitude.
func Typing(seconds, peak float64, seed uint64) []float32 {
	r := rng(seed)
	x := make([]float64, n(seconds))
	for i := range x {
		x[i] = r.NormFloat64() * 1e-4
	}
	click := func(at int, amp float64) {
		// A broadband transient: decaying noise with a short plastic resonance.
		f := 2000 + 3000*r.Float64()
		for k := 0; k < n(0.012) && at+k < len(x); k++ {
			t := float64(k) / Rate
			env := math.Exp(-t / 0.0015)
			x[at+k] += amp * env * (0.6*r.NormFloat64() + 0.8*math.Sin(2*math.Pi*f*t))
		}
	}
	for at := n(0.2); at < len(x); {
		click(at, peak*(0.6+0.4*r.Float64()))
		click(at+n(0.06+0.06*r.Float64()), peak*(0.3+0.3*r.Float64()))
		at += n(0.09 + 0.21*r.Float64())
	}
	return toFloat32(x)
}

// Breathing returns breaths: broadband airflow noise (band-limited to about 200–2500 Hz)
// swelling and fading, 0.7 s in and 1 s out with pauses, scaled to the given RMS.
func Breathing(seconds, rms float64, seed uint64) []float32 {
	r := rng(seed)
	x := make([]float64, n(seconds))
	// One-pole low-pass at ~2.5 kHz and high-pass at ~200 Hz.
	lp := math.Exp(-2 * math.Pi * 2500 / Rate)
	hp := math.Exp(-2 * math.Pi * 200 / Rate)
	var l, h, prev float64
	cycle := 0.7 + 0.3 + 1.0 + 0.8
	for i := range x {
		l = (1-lp)*r.NormFloat64() + lp*l
		h = hp * (h + l - prev)
		prev = l
		t := math.Mod(float64(i)/Rate, cycle)
		var env float64
		switch {
		case t < 0.7:
			env = math.Sin(math.Pi * t / 0.7)
		case t < 1.0:
			env = 0
		case t < 2.0:
			env = 0.8 * math.Sin(math.Pi*(t-1.0)/1.0)
		}
		x[i] = h * env
	}
	return scale(x, rms)
}

// Tone returns a sine at freq Hz with 10 ms fades, peak amplitude amp.
func Tone(seconds, freq, amp float64) []float32 {
	x := make([]float32, n(seconds))
	fade := float64(n(0.01))
	for i := range x {
		env := math.Min(1, math.Min(float64(i), float64(len(x)-1-i))/fade)
		x[i] = float32(amp * env * math.Sin(2*math.Pi*freq*float64(i)/Rate))
	}
	return x
}

// Concat joins signals end to end.
func Concat(parts ...[]float32) []float32 {
	var out []float32
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Mix adds b into a copy of a (b is cut or zero-extended to a's length).
func Mix(a, b []float32) []float32 {
	out := append([]float32(nil), a...)
	for i := range out {
		if i < len(b) {
			out[i] += b[i]
		}
	}
	return out
}

func scale(x []float64, rms float64) []float32 {
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	if ss == 0 {
		return toFloat32(x)
	}
	g := rms / math.Sqrt(ss/float64(len(x)))
	for i := range x {
		x[i] *= g
	}
	return toFloat32(x)
}

func toFloat32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}
