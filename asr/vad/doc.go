// Package vad scores 32 ms frames of 16 kHz audio as speech or not: the VAD interface that
// the streaming recognizer's endpointing uses, and a pure-Go energy-and-voicing fallback.
package vad
