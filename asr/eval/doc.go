// Package eval measures recognition accuracy: text normalisation and word/character error
// rates over a manifest of recordings and reference transcripts.
package eval
