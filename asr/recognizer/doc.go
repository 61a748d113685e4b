// Package recognizer connects Hark's stages: 16 kHz samples → log-mel features → acoustic
// engine → CTC search → words with times and confidences. It is pure Go.
package recognizer
