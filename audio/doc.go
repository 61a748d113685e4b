// Package audio defines Hark's pull-based mono sample stream, a band-limited resampler and level-metering helpers.
package audio
