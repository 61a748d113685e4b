package audio

import "math"

// SilenceDBFS is the level reported for digital silence, which would
// otherwise be minus infinity.
const SilenceDBFS = -120.0

// RMS returns the root-mean-square amplitude of samples (0 for none).
func RMS(samples []float32) float64 {
	if len(samples) == 0 {
		return 0
	}
	var sum float64
	for _, s := range samples {
		sum += float64(s) * float64(s)
	}
	return math.Sqrt(sum / float64(len(samples)))
}

// Peak returns the largest absolute sample value (0 for none).
func Peak(samples []float32) float64 {
	var peak float32
	for _, s := range samples {
		if s < 0 {
			s = -s
		}
		if s > peak {
			peak = s
		}
	}
	return float64(peak)
}

// DBFS converts a linear amplitude (1 = full scale) to decibels relative to
// full scale, 20·log10(x), clamped below at SilenceDBFS. With this convention a
// full-scale square wave has an RMS level of 0 dBFS and a full-scale sine
// -3.01 dBFS.
func DBFS(x float64) float64 {
	if !(x > 0) { // also catches NaN
		return SilenceDBFS
	}
	db := 20 * math.Log10(x)
	if db < SilenceDBFS {
		return SilenceDBFS
	}
	return db
}

// Level returns the RMS and peak levels of samples in dBFS, as a level meter
// shows them for one block of audio.
func Level(samples []float32) (rmsDBFS, peakDBFS float64) {
	return DBFS(RMS(samples)), DBFS(Peak(samples))
}
