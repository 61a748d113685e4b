package dictation

import (
	"fmt"
	"time"
)

// State is where dictation stands.
type State int

const (
	// Idle: no audio is captured.
	Idle State = iota
	// Listening: capturing, waiting for speech.
	Listening
	// Speech: an utterance is open; partial results arrive.
	Speech
	// Finalising: the utterance ended (or Stop was pressed) and is being decoded.
	Finalising
)

func (s State) String() string {
	switch s {
	case Idle:
		return "idle"
	case Listening:
		return "listening"
	case Speech:
		return "speech"
	case Finalising:
		return "finalising"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Utterance is one final result.
type Utterance struct {
	N          int       // sequence number within the session, from 1
	Text       string    // final text, formatted
	Raw        string    // the recognizer's words before formatting
	Start, End float64   // seconds since capture started
	At         time.Time // when the final result arrived
	Decode     time.Duration
	Duration   float64 // seconds of audio decoded
	ID         string  // history ID of the saved audio ("" when not kept)
	Delivered  string  // where Deliver sent the text ("" when nowhere)
	Err        error   // decoding failed (Record only)
	Command    bool    // the utterance was a spoken command such as "scratch that" (Record only)
	Undone     bool    // removed again by Undo

	// An utterance may come in pieces (the stream's provisional finals): the first is
	// added to the transcript (FinalAdded), the others extend it (FinalExtended); Text and
	// Raw are then the utterance so far.
	//
	// Append is what this update adds to the transcript and delivers: the whole Text for an
	// utterance in one piece, else the new piece (with the space before it) or, at the end,
	// what ends the sentence (its full stop, or nothing).
	Append string
	// Open says the utterance goes on: more will be appended. Delivery adds the space that
	// separates utterances only once it is over.
	Open bool
}

// RTF is the real-time factor of decoding this utterance (decode time / audio time).
func (u Utterance) RTF() float64 {
	if u.Duration <= 0 {
		return 0
	}
	return u.Decode.Seconds() / u.Duration
}

// Kind says what an Update reports.
type Kind int

const (
	// StateChanged: State is new.
	StateChanged Kind = iota
	// LevelChanged: Level and Prob describe the latest 32 ms of audio.
	LevelChanged
	// PartialChanged: Partial is the utterance-so-far ("" when cleared). Utterance says
	// where it stands: Start and End its times, and for an utterance that comes in pieces
	// Text the pieces already in the transcript and Append the partial as it follows them
	// (with its leading space, which Partial lacks).
	PartialChanged
	// FinalAdded: Utterance was appended to the transcript.
	FinalAdded
	// Delivered: Utterance was sent to another application (Utterance.Delivered says where).
	Delivered
	// Undone: Utterance was removed from the transcript (and retracted from its target).
	Undone
	// Failed: Err says what went wrong (capture, decoding or delivery); dictation goes on
	// where it can. When an utterance (or a piece of one: Open) could not be decoded,
	// Utterance has its times and Utterance.Err the decoder's error; a *CaptureError means
	// the session ended.
	Failed
	// FinalExtended: Utterance (the last one in the transcript) grew by Utterance.Append.
	FinalExtended
)

// Update is sent to the listener for every change. State is the state after the change.
type Update struct {
	Kind      Kind
	State     State
	Level     float64 // dBFS
	Prob      float32
	Partial   string
	Utterance Utterance
	Err       error
}
