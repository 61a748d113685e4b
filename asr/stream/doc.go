// Package stream turns a live 16 kHz sample stream into utterances: voice activity
// detection and endpointing, partial hypotheses by re-decoding the growing utterance with
// cached features, and a final result per utterance — optionally sent in pieces at short
// pauses (provisional finals, off by default), so that text arrives soon after the speaker
// stops, while the utterance itself ends only after the longer trailing silence. It is pure
// Go.
package stream
