// Package live assembles what live dictation needs (model, voice activity detector,
// streaming recognizer, microphone or replayed file) for both the app and `hark listen`.
package live
