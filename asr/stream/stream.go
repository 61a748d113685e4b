package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync/atomic"
	"time"

	"hark/asr"
	"hark/asr/features"
	"hark/asr/vad"
	"hark/audio"
)

// Decoder recognizes one utterance of 16 kHz samples. Word times are relative to the first
// sample. *recognizer.Recognizer implements it.
type Decoder interface {
	Recognize(ctx context.Context, samples []float32) (asr.Result, error)
}

// FeatureDecoder is a Decoder that can decode features computed incrementally by its own
// front-end, so re-decoding a growing utterance does not recompute them.
// *recognizer.Recognizer implements it.
type FeatureDecoder interface {
	Decoder
	FeatureExtractor() *features.Extractor
	RecognizeFeatures(ctx context.Context, feats asr.Matrix) (asr.Result, error)
}

// Buffered is implemented by live sources that can say how many samples are waiting to be
// read. While more than one partial interval is waiting the Streamer skips partials to
// catch up; finals are never skipped.
type Buffered interface {
	Buffered() int
}

// Streamer segments a stream into utterances and decodes them. Use one Run at a time;
// EndUtterance and Discard may be called from any goroutine.
type Streamer struct {
	cfg Config
	dec Decoder
	vad vad.VAD

	endReq, dropReq atomic.Bool
}

// New returns a Streamer that decodes with dec and finds speech with v.
func New(dec Decoder, v vad.VAD, cfg Config) *Streamer {
	return &Streamer{cfg: cfg.withDefaults(), dec: dec, vad: v}
}

// Config returns the settings in use, defaults filled in.
func (s *Streamer) Config() Config { return s.cfg }

// EndUtterance asks Run to end the utterance in progress now, as if the speaker had paused
// (for push-to-talk release). Without an utterance in progress it does nothing.
func (s *Streamer) EndUtterance() { s.endReq.Store(true) }

// Discard asks Run to drop the utterance in progress without decoding it.
func (s *Streamer) Discard() { s.dropReq.Store(true) }

// Run reads src until it ends, fails or ctx is done, calling emit (on Run's goroutine) for
// every event. Whatever stops it, an utterance in progress is ended and decoded first, so
// no speech is lost. It returns nil at the end of the input, ctx.Err() when cancelled and
// the source's error otherwise. A live source whose Read blocks should be closed by the
// caller to stop Run promptly.
func (s *Streamer) Run(ctx context.Context, src audio.Source, emit func(Event)) error {
	if src.SampleRate() != SampleRate {
		src = audio.Resample(src, SampleRate)
	}
	s.vad.Reset()
	s.endReq.Store(false)
	s.dropReq.Store(false)
	r := newRun(s, emit)
	buf := make([]float32, vad.FrameSize)
	for {
		if err := ctx.Err(); err != nil {
			r.finish(context.WithoutCancel(ctx), true)
			return err
		}
		n, err := readFull(src, buf)
		if n > 0 {
			r.frame(ctx, buf[:n], src)
			if f, ok := s.vad.(vad.Failer); ok && f.Err() != nil {
				r.finish(context.WithoutCancel(ctx), true)
				return f.Err()
			}
		}
		if err != nil {
			r.finish(context.WithoutCancel(ctx), true)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// readFull fills buf unless the source ends or fails first.
func readFull(src audio.Source, buf []float32) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := src.Read(buf[n:])
		if m < 0 || m > len(buf)-n {
			return n, fmt.Errorf("audio source returned invalid count %d", m)
		}
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// run is the state of one Run.
type run struct {
	s    *Streamer
	cfg  Config
	emit func(Event)
	fd   FeatureDecoder // nil when the decoder cannot take features
	pad  []float32      // VAD frame for short reads

	pos       int64     // samples consumed so far
	hist      []float32 // recent samples while no utterance is open
	histStart int64     // stream index of hist[0]
	keepHist  int       // samples of history to keep
	onRun     int       // consecutive frames at or above OnThreshold
	floorAt   int64     // no utterance may start before this index (end of the last one)
	nUtt      int

	in          bool
	utt         []float32
	uttStart    int64     // stream index of utt[0]
	onset       int64     // stream index of the first speech frame
	lastSpeech  int64     // stream index just past the last speech frame
	silence     int       // samples since the last speech frame
	probs       []float32 // per-frame VAD probability within the utterance (for forced cuts)
	nextPartial int       // utterance length at which the next partial is due
	lastPartial string
	fs          *features.Stream
	feats       []float32
}

func newRun(s *Streamer, emit func(Event)) *run {
	r := &run{s: s, cfg: s.cfg, emit: emit, pad: make([]float32, vad.FrameSize)}
	if fd, ok := s.dec.(FeatureDecoder); ok && fd.FeatureExtractor() != nil {
		r.fd = fd
	}
	r.keepHist = samples(r.cfg.PreRoll) + grid + (frames(r.cfg.MinSpeech)+1)*vad.FrameSize
	return r
}

func seconds(i int64) float64 { return float64(i) / SampleRate }

// frame handles one frame of up to vad.FrameSize samples.
func (r *run) frame(ctx context.Context, x []float32, src audio.Source) {
	at := r.pos
	r.pos += int64(len(x))
	vf := x
	if len(x) < vad.FrameSize {
		clear(r.pad[copy(r.pad, x):])
		vf = r.pad
	}
	p := r.s.vad.Frame(vf)
	r.emit(Event{Kind: Level, Start: seconds(at), Level: audio.DBFS(audio.RMS(x)), Prob: p})

	if r.s.dropReq.Swap(false) && r.in {
		r.emit(Event{Kind: Dropped, Utterance: r.nUtt, Start: seconds(r.onset), End: seconds(r.lastSpeech)})
		r.toHistory(r.utt, r.uttStart)
		r.in = false
		r.floorAt = r.pos
		r.onRun = 0
	}
	if !r.in {
		r.s.endReq.Store(false)
		r.appendHistory(x, at)
		if p >= r.cfg.OnThreshold {
			r.onRun++
		} else {
			r.onRun = 0
		}
		if r.onRun >= frames(r.cfg.MinSpeech) {
			r.open(r.pos - int64(r.onRun*vad.FrameSize))
		}
		return
	}
	r.append(x, p)
	if p >= r.cfg.OffThreshold {
		r.lastSpeech = r.pos
		r.silence = 0
	} else {
		r.silence += len(x)
	}
	switch {
	case r.s.endReq.Swap(false):
		r.close(ctx, r.pos, true)
	case r.silence >= samples(r.cfg.TrailingSilence):
		r.close(ctx, min(r.lastSpeech+int64(samples(r.cfg.EndPadding)), r.pos), false)
	case len(r.utt) >= samples(r.cfg.MaxUtterance):
		r.cut(ctx)
	case r.cfg.PartialInterval > 0 && len(r.utt) >= r.nextPartial:
		if b, ok := src.(Buffered); ok && b.Buffered() > samples(r.cfg.PartialInterval) {
			return // behind real time: catch up before decoding again
		}
		r.partial(ctx)
		// Due again one interval on, less a frame: frames arrive 32 ms apart, so the next
		// partial comes at most one interval later.
		r.nextPartial = len(r.utt) + samples(r.cfg.PartialInterval) - vad.FrameSize
	}
}

// appendHistory keeps the last keepHist samples while no utterance is open.
func (r *run) appendHistory(x []float32, at int64) {
	if len(r.hist) == 0 {
		r.histStart = at
	}
	r.hist = append(r.hist, x...)
	if drop := len(r.hist) - r.keepHist; drop > 0 && drop >= r.keepHist {
		r.hist = r.hist[:copy(r.hist, r.hist[drop:])]
		r.histStart += int64(drop)
	}
}

// toHistory makes x (starting at stream index at) the history, for audio left over after
// an utterance closes.
func (r *run) toHistory(x []float32, at int64) {
	r.hist = append(r.hist[:0], x...)
	r.histStart = at
}

// grid aligns utterance starts: 80 ms is a whole number of model frames (10 ms feature
// frames subsampled 4× or 8×), so an utterance's frames are the same frames a batch
// transcript of the whole stream computes, and the two agree as closely as possible.
const grid = 1280

// open starts an utterance whose first speech frame begins at onset.
func (r *run) open(onset int64) {
	lo := max(r.histStart, r.floorAt)
	start := onset - int64(samples(r.cfg.PreRoll))
	start -= start % grid // onset ≥ 0; a negative start is raised to lo below
	if start < lo {
		start = lo + (grid-lo%grid)%grid
		if start > onset {
			start = lo
		}
	}
	r.nUtt++
	r.in = true
	r.onset = onset
	r.lastSpeech = r.pos
	r.silence = 0
	r.utt = append(r.utt[:0], r.hist[start-r.histStart:]...)
	r.uttStart = start
	r.hist = r.hist[:0]
	r.onRun = 0
	r.probs = r.probs[:0]
	for range (len(r.utt) + vad.FrameSize - 1) / vad.FrameSize {
		r.probs = append(r.probs, 0)
	}
	r.lastPartial = ""
	r.nextPartial = int(onset-start) + samples(r.cfg.PartialInterval/2)
	r.startFeatures()
	r.emit(Event{Kind: Start, Utterance: r.nUtt, Start: seconds(onset)})
}

func (r *run) startFeatures() {
	if r.fd == nil {
		return
	}
	r.fs = r.fd.FeatureExtractor().NewStream()
	r.feats = r.fs.Write(r.feats[:0], r.utt)
}

func (r *run) append(x []float32, p float32) {
	r.utt = append(r.utt, x...)
	r.probs = append(r.probs, p)
	if r.fs != nil {
		r.feats = r.fs.Write(r.feats, x)
	}
}

// decode recognizes the first n samples of the utterance; words get stream times.
func (r *run) decode(ctx context.Context, n int, final bool) (asr.Result, time.Duration, error) {
	t0 := time.Now()
	var res asr.Result
	var err error
	if r.fd != nil {
		fe := r.fd.FeatureExtractor()
		nm := fe.NumMels()
		rows := len(r.feats) / nm
		if final {
			if want := fe.FrameCount(n); rows < want {
				r.feats = r.fs.Flush(r.feats)
				rows = min(want, len(r.feats)/nm)
			} else {
				rows = want
			}
		}
		res, err = r.fd.RecognizeFeatures(ctx, asr.Matrix{Rows: rows, Cols: nm, Data: r.feats[:rows*nm]})
	} else {
		res, err = r.s.dec.Recognize(ctx, r.utt[:n])
	}
	off := seconds(r.uttStart)
	for i := range res.Words {
		res.Words[i].Start += off
		res.Words[i].End += off
	}
	return res, time.Since(t0), err
}

func (r *run) partial(ctx context.Context) {
	res, d, err := r.decode(ctx, len(r.utt), false)
	if err != nil || res.Text == "" || res.Text == r.lastPartial {
		return
	}
	r.lastPartial = res.Text
	r.emit(Event{Kind: Partial, Utterance: r.nUtt, Start: seconds(r.onset), End: seconds(r.pos),
		Text: res.Text, Decode: d, Duration: seconds(int64(len(r.utt)))})
}

// close ends the utterance at stream index end, decodes it and reports it.
func (r *run) close(ctx context.Context, end int64, forced bool) {
	n := int(end - r.uttStart)
	speechEnd := min(r.lastSpeech, end)
	audioCopy := append([]float32(nil), r.utt[:n]...)
	r.emit(Event{Kind: End, Utterance: r.nUtt, Start: seconds(r.onset), End: seconds(speechEnd),
		Audio: audioCopy, AudioStart: seconds(r.uttStart), Forced: forced})
	res, d, err := r.decode(ctx, n, true)
	switch {
	case err != nil:
		r.emit(Event{Kind: Final, Utterance: r.nUtt, Start: seconds(r.onset), End: seconds(speechEnd),
			Err: err, Decode: d, Duration: seconds(int64(n))})
	case res.Text == "":
		r.emit(Event{Kind: Dropped, Utterance: r.nUtt, Start: seconds(r.onset), End: seconds(speechEnd)})
	default:
		r.emit(Event{Kind: Final, Utterance: r.nUtt, Start: seconds(r.onset), End: seconds(speechEnd),
			Text: res.Text, Words: res.Words, Decode: d, Duration: seconds(int64(n))})
	}
	r.in = false
	r.floorAt = end
	r.onRun = 0
	r.toHistory(r.utt[n:], end)
	r.fs = nil
}

// cut ends an utterance that reached MaxUtterance at the quietest frame of its last
// seconds and carries on with the rest as a new utterance.
func (r *run) cut(ctx context.Context) {
	const search = 3 * SampleRate / vad.FrameSize // frames searched: the last ~3 s
	best, bestP := len(r.probs), float32(math.Inf(1))
	for i := len(r.probs) - 1; i >= max(1, len(r.probs)-search); i-- {
		if r.probs[i] < bestP {
			best, bestP = i, r.probs[i]
		}
	}
	// Cut at the start of the quietest frame (frames are aligned to the utterance's end).
	cutAt := len(r.utt) - (len(r.probs)-best)*vad.FrameSize
	cutAt = max(cutAt, vad.FrameSize)
	rest := append([]float32(nil), r.utt[cutAt:]...)
	restProbs := append([]float32(nil), r.probs[best:]...)
	end := r.uttStart + int64(cutAt)
	lastSpeech := r.lastSpeech
	r.close(ctx, end, true)
	// The rest continues the speech without pre-roll (it follows the cut directly).
	r.nUtt++
	r.in = true
	r.onset = end
	r.lastSpeech = max(lastSpeech, end)
	r.uttStart = end
	r.utt = append(r.utt[:0], rest...)
	r.probs = append(r.probs[:0], restProbs...)
	r.hist = r.hist[:0]
	r.lastPartial = ""
	r.nextPartial = len(r.utt) + samples(r.cfg.PartialInterval/2)
	r.startFeatures()
	r.emit(Event{Kind: Start, Utterance: r.nUtt, Start: seconds(end)})
}

// finish ends the utterance in progress, if any, at the end of the input.
func (r *run) finish(ctx context.Context, forced bool) {
	if r.s.dropReq.Swap(false) && r.in {
		r.emit(Event{Kind: Dropped, Utterance: r.nUtt, Start: seconds(r.onset), End: seconds(r.lastSpeech)})
		r.in = false
	}
	if r.in {
		r.close(ctx, r.pos, forced)
	}
}
