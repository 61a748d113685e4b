// Package portaudio captures microphone audio through PortAudio (cgo, desktop builds) as a
// pull-based 16 kHz audio.Source, and lists input devices; other platforms get a stub that
// says capture is unavailable.
package portaudio
