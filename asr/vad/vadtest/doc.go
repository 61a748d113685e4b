// Package vadtest generates deterministic test audio (silence, white and pink noise, typing
// clicks, mains hum, breathing, tones) for testing voice activity detection and endpointing.
package vadtest
