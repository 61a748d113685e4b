// Package text turns raw recognizer output into written text: user replacements, spoken
// punctuation commands, and sentence casing.
package text
