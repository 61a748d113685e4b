// Package audiofile opens WAV, FLAC and MP3 files, recognised by their content, as mono audio sources.
package audiofile
