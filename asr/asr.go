package asr

import (
	"context"
	"errors"
	"time"
)

// Word is one recognized word with its timing in seconds from the start of the audio and a
// confidence in [0,1] derived from the acoustic model's token posteriors.
type Word struct {
	Word       string  `json:"word"`
	Start      float64 `json:"start"`
	End        float64 `json:"end"`
	Confidence float64 `json:"confidence"`
}

// ShiftWords moves every word by off seconds: a stretch decoded on its own gets the times of
// the stream or file it came from. The one place word times are shifted.
func ShiftWords(ws []Word, off float64) {
	for i := range ws {
		ws[i].Start += off
		ws[i].End += off
	}
}

// Result is the recognition of one stretch of audio.
type Result struct {
	Text     string     `json:"text"`
	Words    []Word     `json:"words"`
	Duration float64    `json:"duration_s"`
	Timing   StageTimes `json:"-"`
	Raw      string     `json:"-"` // text before any post-processing
}

// StageTimes records where the time went while recognizing one input.
type StageTimes struct {
	Decode   time.Duration // reading and resampling audio
	Features time.Duration
	Model    time.Duration
	Search   time.Duration
}

// Add accumulates o into t.
func (t *StageTimes) Add(o StageTimes) {
	t.Decode += o.Decode
	t.Features += o.Features
	t.Model += o.Model
	t.Search += o.Search
}

// Total is the sum of all stages.
func (t StageTimes) Total() time.Duration { return t.Decode + t.Features + t.Model + t.Search }

// Matrix is a dense row-major float32 matrix: Rows frames of Cols values.
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// Row returns row i as a slice sharing the matrix's storage.
func (m Matrix) Row(i int) []float32 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// Engine runs an acoustic model: log-mel features in (Rows = frames, Cols = mel bins),
// per-frame log-probabilities over the vocabulary out (Rows = output frames, Cols = tokens).
type Engine interface {
	Run(ctx context.Context, feats Matrix) (Matrix, error)
	Close() error
}

// Recognizer turns 16 kHz mono samples into a Result.
type Recognizer interface {
	Recognize(ctx context.Context, samples []float32) (Result, error)
}

// ErrNoAudio is returned for input that holds no samples at all.
var ErrNoAudio = errors.New("no audio samples")

// Config holds the recognition settings shared by the command line and the app. Its zero
// value means the defaults: beam search of width 8, one inference thread.
type Config struct {
	Beam      int  // prefix beam width; 0 means 8; 1 means greedy decoding
	TokenTopK int  // tokens considered per frame; 0 means 16
	Threads   int  // ONNX Runtime intra-op threads; 0 means 1
	Raw       bool // skip text post-processing (casing, punctuation)

	// Language model (shallow fusion in the beam search) and contextual biasing.
	LM        string   // n-gram LM file (Hark binary, ARPA or ARPA.gz); "" means the model's own LM, if any
	NoLM      bool     // decode without any language model, even the model's own
	LMWeight  *float64 // α, the LM weight; nil means the model's tuned value, else 0.5
	WordBonus *float64 // β, the word insertion bonus; nil means the model's tuned value, else 1.0
	Hotwords  string   // hotword file: one phrase per line, optional :BOOST
	// Commands biases the search towards the spoken punctuation commands ("comma", "new
	// line"…; text.CommandHotwords), as live dictation does: people say them there.
	Commands bool
}

// BeamWidth returns the effective beam width.
func (c Config) BeamWidth() int {
	if c.Beam <= 0 {
		return 8
	}
	return c.Beam
}
