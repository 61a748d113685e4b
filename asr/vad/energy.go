package vad

import "math"

// EnergyConfig tunes the Energy VAD. Its zero value means the defaults.
type EnergyConfig struct {
	// MinLevel is the level in dBFS (of the high-passed signal) below which a frame is never
	// speech; 0 means -60.
	MinLevel float64
	// SNR is the level above the noise floor, in dB, at which the energy score is one half;
	// 0 means 9.
	SNR float64
	// Voicing is the periodicity (normalised autocorrelation at a pitch lag, 0..1) at which
	// the voicing score is one half; 0 means 0.45, a negative value turns the voicing test off
	// (then any loud enough sound counts as speech).
	Voicing float64
}

func (c EnergyConfig) withDefaults() EnergyConfig {
	if c.MinLevel == 0 {
		c.MinLevel = -60
	}
	if c.SNR == 0 {
		c.SNR = 6
	}
	if c.Voicing == 0 {
		c.Voicing = 0.45
	}
	return c
}

// Energy tuning constants.
const (
	highPassHz   = 100.0 // removes mains hum and rumble before any measurement
	minLag       = 40    // 400 Hz: highest pitch looked for
	maxLag       = 256   // 62.5 Hz: lowest pitch looked for
	historyLen   = 256   // samples of the previous frame added to the voicing window
	statFrames   = 6     // frames (0.19 s) over which stationarity is judged
	statDB       = 2.5   // level standard deviation below which a sound counts as stationary
	floorInitDB  = -90.0 // lowest noise floor tracked
	floorFastUp  = 0.5   // per-frame approach of the floor to a stationary sound
	floorNoiseUp = 0.05  // per-frame approach to an unvoiced sound (fans, hiss, breath)
	floorSlowUp  = 0.003 // per-frame approach to anything else (speech barely moves it)
	floorDown    = 0.5   // per-frame approach to a quieter sound
)

// Energy is a pure-Go VAD for when no neural VAD is available. Per frame it measures the
// level of the high-passed signal against an adaptive noise floor and the periodicity of
// the signal in the pitch range (voiced speech is periodic; hiss, fan noise, breathing and
// typing are not). The floor falls quickly to quieter sound and rises quickly to sound
// that is unvoiced or steady (hum, fans) and slowly otherwise, so speech does not raise it.
// Its output is the product of an energy score and a voicing score.
type Energy struct {
	cfg    EnergyConfig
	hp     [2]biquad
	win    []float64 // historyLen previous filtered samples, then the current frame's
	levels [statFrames]float64
	nLevel int
	floor  float64
	init   bool
}

// NewEnergy returns an Energy VAD with the given settings.
func NewEnergy(cfg EnergyConfig) *Energy {
	e := &Energy{cfg: cfg.withDefaults()}
	e.Reset()
	return e
}

// Reset forgets the noise floor and filter state.
func (e *Energy) Reset() {
	// Fourth-order Butterworth high-pass as two biquads.
	e.hp[0] = highPass(highPassHz, SampleRate, 0.54119610)
	e.hp[1] = highPass(highPassHz, SampleRate, 1.30656296)
	e.win = make([]float64, historyLen, historyLen+FrameSize)
	e.nLevel = 0
	e.floor = floorInitDB
	e.init = false
}

// NoiseFloor returns the current noise floor estimate in dBFS.
func (e *Energy) NoiseFloor() float64 { return e.floor }

// Frame scores one frame. Frames shorter than FrameSize are scored as they are.
func (e *Energy) Frame(samples []float32) float32 {
	p, _, _ := e.analyse(samples)
	return p
}

// analyse returns the speech probability, the level in dBFS and the periodicity.
func (e *Energy) analyse(samples []float32) (float32, float64, float64) {
	e.win = e.win[:historyLen]
	var sum float64
	for _, s := range samples {
		y := e.hp[1].step(e.hp[0].step(float64(s)))
		e.win = append(e.win, y)
		sum += y * y
	}
	if len(samples) == 0 {
		return 0, floorInitDB, 0
	}
	level := 10 * math.Log10(sum/float64(len(samples))+1e-13)
	voicing := periodicity(e.win)
	// Keep the last historyLen samples for the next frame's voicing window.
	copy(e.win, e.win[len(e.win)-historyLen:])

	e.levels[e.nLevel%statFrames] = level
	e.nLevel++
	if !e.init {
		e.floor = math.Max(level, floorInitDB)
		e.init = true
	}
	stationary := e.nLevel >= statFrames && stddev(e.levels[:]) < statDB
	cfg := e.cfg
	voiced := cfg.Voicing < 0 || voicing >= cfg.Voicing
	switch {
	case level < e.floor:
		e.floor += floorDown * (level - e.floor)
	case stationary:
		e.floor += floorFastUp * (level - e.floor)
	case !voiced:
		e.floor += floorNoiseUp * (level - e.floor)
	default:
		e.floor += floorSlowUp * (level - e.floor)
	}
	e.floor = math.Max(e.floor, floorInitDB)

	if level < cfg.MinLevel {
		return 0, level, voicing
	}
	p := logistic((level - e.floor - cfg.SNR) / 1.5)
	if cfg.Voicing >= 0 {
		p *= logistic((voicing - cfg.Voicing) / 0.05)
	}
	return float32(p), level, voicing
}

// periodicity returns the largest normalised autocorrelation of x at a lag in the pitch
// range. The normalisation 2·Σx[n]x[n+k] / (Σx[n]² + Σx[n+k]²) is 1 for a periodic signal
// and small for noise and for sounds that die away within the lag (clicks).
func periodicity(x []float64) float64 {
	n := len(x)
	if n <= maxLag {
		return 0
	}
	// Prefix sums of squares give each lag's two energies in O(1).
	sq := make([]float64, n+1)
	for i, v := range x {
		sq[i+1] = sq[i] + v*v
	}
	if sq[n] == 0 {
		return 0
	}
	best := 0.0
	for k := minLag; k <= maxLag; k++ {
		var num float64
		a, b := x[:n-k], x[k:]
		for i, v := range a {
			num += v * b[i]
		}
		den := sq[n-k] + (sq[n] - sq[k])
		if den > 0 {
			if r := 2 * num / den; r > best {
				best = r
			}
		}
	}
	return best
}

func stddev(x []float64) float64 {
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return math.Sqrt(ss / float64(len(x)))
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// biquad is a second-order IIR section in transposed direct form II.
type biquad struct {
	b0, b1, b2, a1, a2 float64
	z1, z2             float64
}

// highPass designs a second-order high-pass section (RBJ cookbook) with quality q.
func highPass(f0, fs, q float64) biquad {
	w := 2 * math.Pi * f0 / fs
	cw, alpha := math.Cos(w), math.Sin(w)/(2*q)
	a0 := 1 + alpha
	return biquad{
		b0: (1 + cw) / 2 / a0, b1: -(1 + cw) / a0, b2: (1 + cw) / 2 / a0,
		a1: -2 * cw / a0, a2: (1 - alpha) / a0,
	}
}

func (f *biquad) step(x float64) float64 {
	y := f.b0*x + f.z1
	f.z1 = f.b1*x - f.a1*y + f.z2
	f.z2 = f.b2*x - f.a2*y
	return y
}
