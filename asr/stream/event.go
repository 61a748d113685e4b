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
	// Partial carries the hypothesis for the utterance so far (sent when it changes); after
	// a provisional Final, for the part of the utterance that follows it.
	Partial
	// End reports the endpoint: Audio holds the whole utterance (pre-roll and end padding
	// included) before it is decoded, so a caller can keep it whatever decoding does. With
	// provisional finals an utterance comes in pieces: each piece has its End (Provisional
	// for all but the last), and their Audio, in order, is the utterance's audio without a
	// gap or an overlap.
	End
	// Final carries the final Text and Words of the utterance, or of a piece of it, or Err
	// if decoding failed. A Provisional Final is sent at a short pause (ProvisionalSilence):
	// its text will not change, but the utterance goes on, and the Finals that follow
	// continue the same sentence. The utterance's last Final has Provisional false; after
	// provisional ones its Text may be empty (nothing was said after the last one). Each
	// piece is decoded once, on its own (pieces start on the 80 ms grid, so their model
	// frames are a batch transcript's); the end padding after the last provisional piece
	// is decoded after that piece, keeping the words that start in the padding.
	Final
	// Dropped reports an utterance that decoded to no words (noise) or was discarded. After
	// provisional Finals it ends the utterance (their text stands; only the rest was
	// discarded).
	Dropped
	// Heard carries the utterance's audio while it is still going on (Config.HeardInterval):
	// the samples since the last Heard, pre-roll first, up to the last speech frame, so that
	// a receiver can keep them before the utterance ends (nothing is lost to a crash in the
	// middle of a long one). The End that follows then holds only what no Heard carried:
	// the Heard and End audio of an utterance, in order, is its audio without a gap or an
	// overlap.
	Heard
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
	case Heard:
		return "heard"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Event is one thing the Streamer reports. Times are seconds since the stream began.
type Event struct {
	Kind      Kind
	Utterance int // sequence number of the utterance, from 1; 0 for Level events

	// Start and End: speech onset (the first speech frame) and the end of the last speech
	// frame, of the utterance or, for the pieces of an utterance with provisional finals,
	// of the piece (an empty last piece has Start = End = the end of the speech). For Level
	// events, Start is the frame's time.
	Start, End float64

	Text  string     // Partial, Final
	Words []asr.Word // Final: timed words, seconds since the stream began
	Err   error      // Final: decoding failed (the audio was in the End event)

	Audio      []float32 // End, Heard: the utterance's 16 kHz samples; the receiver owns them
	AudioStart float64   // End, Heard: stream time of Audio[0] (before Start by the pre-roll)
	Forced     bool      // End: cut by MaxUtterance, EndUtterance or the end of input, not by silence

	// Provisional (End, Final): this piece ended at a short pause and the utterance goes
	// on; the utterance's last piece has it false.
	Provisional bool

	Decode   time.Duration // Partial, Final: time spent decoding
	Duration float64       // Partial, Final: seconds of audio decoded

	Level float64 // Level: RMS level of the frame in dBFS
	Prob  float32 // Level: the VAD's speech probability
}
