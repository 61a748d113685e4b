// Package wav decodes WAV files of any common PCM, float or G.711 layout to a mono audio.Source and writes 16-bit mono PCM WAV files.
package wav
