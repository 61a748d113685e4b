// Package asr holds Hark's domain types: the recognizer interface, results, configuration and
// the interfaces that connect audio, features, acoustic engines and decoders. It is pure Go.
package asr
