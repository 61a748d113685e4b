// Package history keeps every dictated utterance's audio (16 kHz WAV) with a JSON sidecar,
// written before decoding, so no speech is lost to a crash or a decode error.
package history
