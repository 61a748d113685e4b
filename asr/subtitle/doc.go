// Package subtitle splits timed words into subtitle cues and writes them as SRT or WebVTT.
package subtitle
