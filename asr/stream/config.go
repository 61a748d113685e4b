package stream

import (
	"time"

	"hark/asr/vad"
)

// SampleRate is the rate the streamer works at; other sources are resampled.
const SampleRate = vad.SampleRate

// Config tunes endpointing and partial results. Its zero value means the defaults, which
// suit dictation.
type Config struct {
	// PreRoll is the audio kept before the first speech frame, so that soft word onsets are
	// never clipped; 0 means 500 ms.
	PreRoll time.Duration
	// TrailingSilence is how long speech must stop before the utterance ends; 0 means 800 ms.
	TrailingSilence time.Duration
	// EndPadding is the audio kept after the last speech frame; 0 means 300 ms. It is at most
	// TrailingSilence.
	EndPadding time.Duration
	// MaxUtterance forces a cut (at the quietest moment of its last few seconds) in speech that
	// never pauses; 0 means 30 s, the longest a full-context model decodes in one piece. With
	// provisional finals it bounds the part of an utterance since the last of them.
	MaxUtterance time.Duration
	// PartialInterval is how much audio passes between partial hypotheses; 0 means 500 ms,
	// negative turns partials off.
	PartialInterval time.Duration
	// MinSpeech is how long the VAD must report speech, without a break, to start an
	// utterance; 0 means 96 ms (3 frames). Clicks and knocks are shorter.
	MinSpeech time.Duration
	// ProvisionalSilence is the pause after which the text heard so far is sent early, as a
	// provisional Final, without ending the utterance: when the speaker goes on before
	// TrailingSilence has passed, what follows continues the same utterance. 0 or negative,
	// or not shorter than TrailingSilence, turns provisional finals off (the default), so
	// text comes only at the end of an utterance; DefaultProvisionalSilence is the value to
	// turn them on with. Pieces are decoded without the audio that follows them, which
	// costs accuracy (app/README.md has the figures).
	ProvisionalSilence time.Duration
	// HeardInterval, when positive, sends the audio of an utterance in progress in Heard
	// events this often, so that it can be saved before the utterance ends; 0 or negative
	// (the default) sends it all in the End event.
	HeardInterval time.Duration
	// OnThreshold is the speech probability that counts towards starting an utterance; 0
	// means 0.5. OffThreshold is the probability below which a frame counts as silence inside
	// an utterance; 0 means 0.35. The gap between them is the hysteresis.
	OnThreshold, OffThreshold float32
}

// DefaultProvisionalSilence is the pause after which the text so far is sent early when
// provisional finals are turned on.
const DefaultProvisionalSilence = 120 * time.Millisecond

// Provisional reports whether provisional finals are on.
func (c Config) Provisional() bool { return c.withDefaults().ProvisionalSilence > 0 }

// maxUtterance is the longest utterance any setting allows.
const maxUtterance = 30 * time.Second

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
		if *d < 0 {
			*d = 0
		}
	}
	def(&c.PreRoll, 500*time.Millisecond)
	def(&c.TrailingSilence, 800*time.Millisecond)
	def(&c.EndPadding, 300*time.Millisecond)
	def(&c.MinSpeech, 3*vadFrame)
	if c.PartialInterval == 0 {
		c.PartialInterval = 500 * time.Millisecond
	}
	if c.MaxUtterance <= 0 || c.MaxUtterance > maxUtterance {
		c.MaxUtterance = maxUtterance
	}
	c.TrailingSilence = max(c.TrailingSilence, vadFrame)
	if c.ProvisionalSilence <= 0 {
		c.ProvisionalSilence = -1
	}
	if c.ProvisionalSilence > 0 {
		c.ProvisionalSilence = max(c.ProvisionalSilence, 2*vadFrame)
	}
	if c.ProvisionalSilence >= c.TrailingSilence {
		c.ProvisionalSilence = -1
	}
	c.EndPadding = min(c.EndPadding, c.TrailingSilence)
	c.MinSpeech = max(c.MinSpeech, vadFrame)
	c.MaxUtterance = max(c.MaxUtterance, c.MinSpeech+c.TrailingSilence+time.Second)
	if c.OnThreshold <= 0 || c.OnThreshold > 1 {
		c.OnThreshold = 0.5
	}
	if c.OffThreshold <= 0 || c.OffThreshold > c.OnThreshold {
		c.OffThreshold = min(0.35, c.OnThreshold)
	}
	return c
}

const vadFrame = time.Duration(vad.FrameSize) * time.Second / vad.SampleRate

// samples converts a duration to a sample count at SampleRate.
func samples(d time.Duration) int { return int(d * SampleRate / time.Second) }

// frames converts a duration to whole VAD frames, rounding up.
func frames(d time.Duration) int { return int((d + vadFrame - 1) / vadFrame) }
