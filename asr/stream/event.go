package stream

import (
	"fmt"
	"time"

	"hark/asr"
)

// Kind says what an Event reports.
type Kind int

const (
	// Level reports one VAD frame: its Level and speech Prob, for level meters.
	Level Kind = iota
	// Start reports that speech began at Start.
	Start
	// Partial carries the hypothesis for the utterance so far (sent when it changes).
	Partial
	// End reports the endpoint: Audio holds the whole utterance (pre-roll and end padding
	// included) before it is decoded, so a caller can keep it whatever decoding does.
	End
	// Final carries the utterance's final Text and Words, or Err if decoding failed.
	Final
	// Dropped reports an utterance that decoded to no words (noise) or was discarded.
	Dropped
)

func (k Kind) String() string {
	switch k {
	case Level:
		return "level"
	case Start:
		return "start"
	case Partial:
		return "partial"
	case End:
		return "end"
	case Final:
		return "final"
	case Dropped:
		return "dropped"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Event is one thing the Streamer reports. Times are seconds since the stream began.
type Event struct {
	Kind      Kind
	Utterance int // sequence number of the utterance, from 1; 0 for Level events

	// Start and End: speech onset (the first speech frame) and the end of the last speech
	// frame. For Level events, Start is the frame's time.
	Start, End float64

	Text  string     // Partial, Final
	Words []asr.Word // Final: timed words, seconds since the stream began
	Err   error      // Final: decoding failed (the audio was in the End event)

	Audio      []float32 // End: the utterance's 16 kHz samples; the receiver owns them
	AudioStart float64   // End: stream time of Audio[0] (before Start by the pre-roll)
	Forced     bool      // End: cut by MaxUtterance, EndUtterance or the end of input, not by silence

	Decode   time.Duration // Partial, Final: time spent decoding
	Duration float64       // Partial, Final: seconds of audio decoded

	Level float64 // Level: RMS level of the frame in dBFS
	Prob  float32 // Level: the VAD's speech probability
}
