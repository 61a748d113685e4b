package features

import "math"

// melFilter is one triangular filter stored sparsely: weights for power-spectrum bins
// start, start+1, …, start+len(w)-1. All other bins have weight zero.
type melFilter struct {
	start int
	w     []float64
}

// sparse converts dense per-bin weights into a melFilter covering the non-zero range.
func sparse(dense []float64) melFilter {
	lo, hi := -1, -1
	for k, v := range dense {
		if v != 0 {
			if lo < 0 {
				lo = k
			}
			hi = k
		}
	}
	if lo < 0 {
		return melFilter{}
	}
	return melFilter{start: lo, w: append([]float64(nil), dense[lo:hi+1]...)}
}

// Slaney mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above.
const (
	slaneyFSp     = 200.0 / 3
	slaneyMinLog  = 1000.0
	slaneyMinMel  = slaneyMinLog / slaneyFSp
	slaneyLogStep = 0.06875177742094912 // ln(6.4)/27
)

func slaneyHzToMel(f float64) float64 {
	if f < slaneyMinLog {
		return f / slaneyFSp
	}
	return slaneyMinMel + math.Log(f/slaneyMinLog)/slaneyLogStep
}

func slaneyMelToHz(m float64) float64 {
	if m < slaneyMinMel {
		return m * slaneyFSp
	}
	return slaneyMinLog * math.Exp((m-slaneyMinMel)*slaneyLogStep)
}

// slaneyFilters builds the filterbank of librosa.filters.mel(sr, n_fft=512, n_mels, fmin=0,
// fmax=sr/2, htk=False, norm="slaney"): triangles between mel-spaced corner frequencies,
// defined on linear frequency, each scaled to unit area (2 / bandwidth in Hz). Weights are
// rounded to float32 as librosa returns them.
func slaneyFilters(nMels int, sampleRate float64) []melFilter {
	lo, hi := slaneyHzToMel(0), slaneyHzToMel(sampleRate/2)
	corners := make([]float64, nMels+2)
	for i := range corners {
		corners[i] = slaneyMelToHz(lo + (hi-lo)*float64(i)/float64(nMels+1))
	}
	filters := make([]melFilter, nMels)
	dense := make([]float64, numBins)
	for m := range filters {
		left, center, right := corners[m], corners[m+1], corners[m+2]
		enorm := 2 / (right - left)
		for k := range dense {
			f := float64(k) * sampleRate / fftSize
			w := math.Max(0, math.Min((f-left)/(center-left), (right-f)/(right-center)))
			dense[k] = float64(float32(w * enorm))
		}
		filters[m] = sparse(dense)
	}
	return filters
}

// htkMel is the mel scale Kaldi uses: 1127·ln(1 + f/700).
func htkMel(f float64) float64 { return 1127 * math.Log(1+f/700) }

// kaldiFilters builds Kaldi's MelBanks: nMels triangles equally spaced on the HTK mel scale
// between lowHz and highHz, with weights computed in the mel domain, over the first 256 bins
// (the Nyquist bin is never used), without area normalisation.
func kaldiFilters(nMels int, sampleRate, lowHz, highHz float64) []melFilter {
	melLo, melHi := htkMel(lowHz), htkMel(highHz)
	delta := (melHi - melLo) / float64(nMels+1)
	filters := make([]melFilter, nMels)
	dense := make([]float64, numBins)
	for m := range filters {
		left := melLo + float64(m)*delta
		center := melLo + float64(m+1)*delta
		right := melLo + float64(m+2)*delta
		for k := range dense {
			dense[k] = 0
			if k >= fftSize/2 {
				continue
			}
			mel := htkMel(float64(k) * sampleRate / fftSize)
			if mel > left && mel < right {
				if mel <= center {
					dense[k] = (mel - left) / (center - left)
				} else {
					dense[k] = (right - mel) / (right - center)
				}
			}
		}
		filters[m] = sparse(dense)
	}
	return filters
}

// symmetricHann is torch.hann_window(n, periodic=False): 0.5 - 0.5·cos(2πi/(n-1)).
func symmetricHann(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
	}
	return w
}

// poveyWindow is Kaldi's default window: the symmetric Hann window raised to 0.85.
func poveyWindow(n int) []float64 {
	w := symmetricHann(n)
	for i := range w {
		w[i] = math.Pow(w[i], 0.85)
	}
	return w
}

// ln is a faster natural logarithm for the positive, finite mel energies (absolute error
// below 1e-12, far under float32 resolution); it defers to math.Log for anything else.
// It splits x = m·2^e with m in [√½, √2) and sums the series ln m = 2·atanh((m-1)/(m+1)).
func ln(x float64) float64 {
	b := math.Float64bits(x)
	e := int(b>>52) - 1023 // sign bit set (negative x) gives e ≥ 1024
	if e <= -1023 || e >= 1024 {
		return math.Log(x) // zero, subnormal, negative, Inf or NaN
	}
	m := math.Float64frombits(b&(1<<52-1) | 1023<<52)
	if m > math.Sqrt2 {
		m *= 0.5
		e++
	}
	f := (m - 1) / (m + 1)
	f2 := f * f
	s := f2 * (1.0/3 + f2*(1.0/5+f2*(1.0/7+f2*(1.0/9+f2*(1.0/11+f2*(1.0/13))))))
	return float64(e)*math.Ln2 + 2*f + 2*f*s
}
