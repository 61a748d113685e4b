// Package dictation is the model of Hark's dictation app, plain Go and testable without a
// window: the idle → listening → speech → finalising state machine over a capture source
// and the streaming recognizer, the transcript of final utterances, and delivery of text to
// other applications.
package dictation
