// Package vad embeds the Silero voice activity detection model (MIT) that Hark runs
// through ONNX Runtime; see SOURCE.md for where it comes from and its inputs.
package vad
