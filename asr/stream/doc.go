// Package stream turns a live 16 kHz sample stream into utterances: voice activity
// detection and endpointing, partial hypotheses by re-decoding the growing utterance with
// cached features, and a final result per utterance. It is pure Go.
package stream
