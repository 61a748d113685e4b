package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
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
// read. While more than one partial interval is waiting the Streamer skips partials (and
// provisional finals, which the utterance's final then covers) to catch up; finals are never
// skipped.
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
	heard     int       // samples at the front of utt already sent in Heard events
	hist      []float32 // recent samples while no utterance is open
	histStart int64     // stream index of hist[0]
	keepHist  int       // samples of history to keep
	onRun     int       // consecutive frames at or above OnThreshold
	floorAt   int64     // no utterance may start before this index (end of the last one)
	nUtt      int

	in          bool
	utt         []float32 // the utterance's samples not yet decoded (since the last provisional cut)
	uttStart    int64     // stream index of utt[0]
	onset       int64     // stream index of the first speech frame
	lastSpeech  int64     // stream index just past the last speech frame
	silence     int       // samples since the last speech frame
	probs       []float32 // per-frame VAD probability within utt (for forced cuts)
	nextPartial int       // length of utt at which the next partial is due
	lastPartial string
	fs          *features.Stream
	feats       []float32 // features of utt (frames from the utterance's start, the cut ones dropped)

	// Provisional finals.
	pieces    int          // provisional Finals sent in this utterance
	segSpeech bool         // utt holds speech (false after a provisional cut until speech resumes)
	segOnset  int64        // stream index of the first speech frame in utt
	spec      *speculation // a provisional cut decoded ahead, valid while the pause lasts
	specTries int          // speculations during this pause
	// The last provisional piece: left context for decoding the end padding after it.
	prevStart int64
	prevAudio []float32
	prevFeats []float32
	prevWords string // its words, as sent
	prevLast  string // its last word
}

// speculation is a provisional cut decoded one VAD frame before the pause is long enough, so
// that the provisional Final can be sent as soon as it is.
type speculation struct {
	cut    int64 // stream index where the piece ends (on the utterance's grid)
	res    asr.Result
	err    error
	d      time.Duration
	stable bool
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
		if !r.segSpeech {
			r.segSpeech = true
			r.segOnset = at
		}
		r.spec, r.specTries = nil, 0
	} else {
		r.silence += len(x)
	}
	r.sendHeard()
	switch {
	case r.s.endReq.Swap(false):
		r.close(ctx, r.pos, true)
	case r.silence >= samples(r.cfg.TrailingSilence):
		r.close(ctx, min(r.lastSpeech+int64(samples(r.cfg.EndPadding)), r.pos), false)
	case len(r.utt) >= samples(r.cfg.MaxUtterance):
		r.cut(ctx)
	case behind(src, r.cfg.PartialInterval):
		// Behind real time: catch up before decoding again. Provisional finals wait too (the
		// utterance's end brings its text all the same).
	case r.provisional(ctx):
	case r.cfg.PartialInterval > 0 && r.segSpeech && len(r.utt) >= r.nextPartial:
		r.partial(ctx)
		// Due again one interval on, less a frame: frames arrive 32 ms apart, so the next
		// partial comes at most one interval later. Until the utterance's first words have
		// shown, every few frames instead (a short decode: the first partial is what tells
		// the speaker that Hark hears them).
		if r.lastPartial == "" {
			r.nextPartial = len(r.utt) + firstPartialRetry
		} else {
			r.nextPartial = len(r.utt) + samples(r.cfg.PartialInterval) - vad.FrameSize
		}
	}
}

const (
	// firstPartialAfter is how much speech (after the detected onset) the first partial
	// decodes at most: enough for a model to emit its first letters.
	firstPartialAfter = 160 * time.Millisecond
	// firstPartialRetry is the audio (3 VAD frames, 96 ms) after which a partial that had no
	// words yet is tried again.
	firstPartialRetry = 3 * vad.FrameSize
)

// behind reports whether more than interval (with partials off, 500 ms) of audio is
// waiting in a live source.
func behind(src audio.Source, interval time.Duration) bool {
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	b, ok := src.(Buffered)
	return ok && b.Buffered() > samples(interval)
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
	r.heard = 0
	r.hist = r.hist[:0]
	r.onRun = 0
	r.probs = r.probs[:0]
	for range (len(r.utt) + vad.FrameSize - 1) / vad.FrameSize {
		r.probs = append(r.probs, 0)
	}
	r.lastPartial = ""
	r.nextPartial = int(onset-start) + samples(min(r.cfg.PartialInterval/2, firstPartialAfter))
	r.newUtterance(onset)
	r.startFeatures()
	r.emit(Event{Kind: Start, Utterance: r.nUtt, Start: seconds(onset)})
}

// newUtterance resets the provisional-final state for an utterance whose speech starts at
// onset.
func (r *run) newUtterance(onset int64) {
	r.pieces = 0
	r.segSpeech = true
	r.segOnset = onset
	r.spec, r.specTries = nil, 0
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

// decode recognizes the first n samples of utt; words get stream times. A partial decodes
// every frame computed so far; a final one the frames of exactly n samples, ending the
// feature stream when they reach past what it has computed (the end of the utterance).
func (r *run) decode(ctx context.Context, n int, final bool) (asr.Result, time.Duration, error) {
	return r.decodeAfter(ctx, n, final, false)
}

// decodeAfter is decode; withPrev puts the last provisional piece before the samples as
// left context and keeps only the words that start after it.
func (r *run) decodeAfter(ctx context.Context, n int, final, withPrev bool) (asr.Result, time.Duration, error) {
	t0 := time.Now()
	var res asr.Result
	var err error
	start := r.uttStart
	if withPrev {
		start = r.prevStart
	}
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
		feats := r.feats[:rows*nm]
		if withPrev {
			// The previous piece's frames end where this piece's begin (cuts are on the
			// feature hop), so together they are the frames of both pieces' samples.
			feats = append(r.prevFeats[:len(r.prevFeats):len(r.prevFeats)], feats...)
			rows = len(feats) / nm
		}
		res, err = r.fd.RecognizeFeatures(ctx, asr.Matrix{Rows: rows, Cols: nm, Data: feats})
	} else {
		x := r.utt[:n]
		if withPrev {
			x = append(r.prevAudio[:len(r.prevAudio):len(r.prevAudio)], x...)
		}
		res, err = r.s.dec.Recognize(ctx, x)
	}
	asr.ShiftWords(res.Words, seconds(start))
	if withPrev && err == nil {
		res = r.afterPrev(res)
	}
	return res, time.Since(t0), err
}

// afterPrev keeps, of a decode of the last provisional piece and what follows it, the words
// that follow it: each word counts in the piece where it starts, and a word that runs across
// the cut is the piece's last word joined to what follows (no word boundary was heard in the
// pause), of which the rest is new. The new words are kept only if the piece's own words
// come out as they were sent: otherwise the model has moved words about with the longer
// context, and what looks new may be a word already sent.
func (r *run) afterPrev(res asr.Result) asr.Result {
	cut := seconds(r.uttStart)
	var before []string
	var words []asr.Word
	for _, w := range res.Words {
		switch {
		case w.Start >= cut-1e-9:
			words = append(words, w)
		case w.End <= cut+1e-9:
			before = append(before, w.Word)
		case r.prevLast != "" && len(w.Word) > len(r.prevLast) && strings.HasPrefix(w.Word, r.prevLast):
			before = append(before, r.prevLast)
			words = append(words, asr.Word{Word: w.Word[len(r.prevLast):], Start: cut, End: w.End, Confidence: w.Confidence})
		default:
			before = append(before, w.Word)
		}
	}
	if strings.Join(before, " ") != r.prevWords {
		words = nil
	}
	texts := make([]string, len(words))
	for i, w := range words {
		texts[i] = w.Word
	}
	res.Words = words
	res.Text = strings.Join(texts, " ")
	res.Raw = res.Text
	return res
}

func (r *run) partial(ctx context.Context) {
	res, d, err := r.decode(ctx, len(r.utt), false)
	if err != nil || res.Text == "" || res.Text == r.lastPartial {
		return
	}
	r.lastPartial = res.Text
	r.emit(Event{Kind: Partial, Utterance: r.nUtt, Start: seconds(min(r.segOnset, r.pos)), End: seconds(r.pos),
		Text: res.Text, Decode: d, Duration: seconds(int64(len(r.utt)))})
}

// close ends the utterance at stream index end, decodes its last piece and reports it.
func (r *run) close(ctx context.Context, end int64, forced bool) {
	end = max(end, r.uttStart) // after a provisional cut the padding may end before it
	n := int(end - r.uttStart)
	speechEnd := min(r.lastSpeech, end)
	start := r.segOnset
	if !r.segSpeech {
		start = speechEnd
	}
	start = min(start, speechEnd)
	audioCopy, audioStart := r.unsent(n)
	r.emit(Event{Kind: End, Utterance: r.nUtt, Start: seconds(start), End: seconds(speechEnd),
		Audio: audioCopy, AudioStart: audioStart, Forced: forced})
	r.heard = 0
	var res asr.Result
	var d time.Duration
	var err error
	dur := n // samples decoded
	if n > 0 {
		// After a provisional Final, a rest in which the voice detector heard no speech is
		// the utterance's end padding. It may still hold the soft end of a word the detector
		// missed, so it is decoded, but not on its own (per-utterance normalisation would
		// blow its room noise up into something a model reads as letters): after the last
		// piece, keeping only the words that start in it (see afterPrev).
		withPrev := r.pieces > 0 && !r.segSpeech
		if withPrev {
			dur += len(r.prevAudio)
		}
		res, d, err = r.decodeAfter(ctx, n, true, withPrev)
	}
	switch {
	case err != nil:
		r.emit(Event{Kind: Final, Utterance: r.nUtt, Start: seconds(start), End: seconds(speechEnd),
			Err: err, Decode: d, Duration: seconds(int64(dur))})
	case res.Text == "" && r.pieces == 0:
		r.emit(Event{Kind: Dropped, Utterance: r.nUtt, Start: seconds(start), End: seconds(speechEnd)})
	default:
		// After provisional Finals this one ends the utterance even when it adds no words.
		r.emit(Event{Kind: Final, Utterance: r.nUtt, Start: seconds(start), End: seconds(speechEnd),
			Text: res.Text, Words: res.Words, Decode: d, Duration: seconds(int64(dur))})
	}
	r.in = false
	r.floorAt = end
	r.onRun = 0
	r.pieces = 0
	r.spec = nil
	r.toHistory(r.utt[n:], end)
	r.fs = nil
}

// provisional sends the text so far as a provisional Final once the pause has lasted
// ProvisionalSilence and the hypothesis is stable, and reports whether it did. The decoding
// is done one VAD frame earlier (a speculation), so the Final goes out as soon as the pause
// is long enough; speech in that frame discards it.
func (r *run) provisional(ctx context.Context) bool {
	need := samples(r.cfg.ProvisionalSilence)
	if r.cfg.ProvisionalSilence <= 0 || !r.segSpeech || r.silence == 0 || r.silence+vad.FrameSize < need {
		return false
	}
	if cut := r.cutPoint(); cut > 0 && (r.spec == nil || (!r.spec.stable && cut > r.spec.cut && r.specTries < maxSpecTries)) {
		r.spec = r.speculate(ctx, cut)
		r.specTries++
	}
	if r.silence < need || r.spec == nil || !r.spec.stable {
		return false
	}
	r.commit(r.spec)
	return true
}

// maxSpecTries bounds the speculative decodes (two each) during one pause whose hypothesis
// is not stable.
const maxSpecTries = 3

// cutPoint returns where a provisional piece would end now: the last point of the
// utterance's 80 ms grid after the last speech frame that leaves the feature frames up to
// it computable from the audio so far (they reach half a window past it); 0 when there is
// none yet.
func (r *run) cutPoint() int64 {
	g := r.pos - features.WindowLength/2 - r.uttStart
	g -= g % grid
	cut := r.uttStart + g
	if g <= 0 || cut < r.lastSpeech {
		return 0
	}
	return cut
}

// speculate decodes the piece that ends at cut, and everything heard so far, and judges
// whether the piece can be sent: it has words, and in both decodes the last word ended
// before the cut (no word runs across it, and none starts after it).
func (r *run) speculate(ctx context.Context, cut int64) *speculation {
	n := int(cut - r.uttStart)
	sp := &speculation{cut: cut}
	if r.fd != nil && len(r.feats)/r.fd.FeatureExtractor().NumMels() < r.fd.FeatureExtractor().FrameCount(n) {
		return sp // not computable yet (cutPoint prevents this)
	}
	sp.res, sp.d, sp.err = r.decode(ctx, n, true)
	if sp.err != nil || strings.TrimSpace(sp.res.Text) == "" || len(sp.res.Words) == 0 {
		return sp // (a decoder without word times cannot say where its words end)
	}
	all, d, err := r.decode(ctx, len(r.utt), false)
	if err != nil {
		return sp
	}
	// The look-ahead decode is a partial like any other.
	if all.Text != "" && all.Text != r.lastPartial {
		r.lastPartial = all.Text
		r.emit(Event{Kind: Partial, Utterance: r.nUtt, Start: seconds(r.segOnset), End: seconds(r.pos),
			Text: all.Text, Decode: d, Duration: seconds(int64(len(r.utt)))})
	}
	r.nextPartial = len(r.utt) + samples(r.cfg.PartialInterval) - vad.FrameSize
	limit := seconds(cut) + 1e-9
	sp.stable = len(all.Words) > 0 && sp.res.Words[len(sp.res.Words)-1].End <= limit && all.Words[len(all.Words)-1].End <= limit
	return sp
}

// commit sends the speculated piece as a provisional Final and keeps the rest of the
// utterance (from the cut on) as the next piece.
func (r *run) commit(sp *speculation) {
	n := int(sp.cut - r.uttStart)
	speechEnd := min(r.lastSpeech, sp.cut)
	audioCopy, audioStart := r.unsent(n)
	r.emit(Event{Kind: End, Utterance: r.nUtt, Start: seconds(r.segOnset), End: seconds(speechEnd),
		Audio: audioCopy, AudioStart: audioStart, Provisional: true})
	r.heard = max(r.heard-n, 0)
	r.emit(Event{Kind: Final, Utterance: r.nUtt, Start: seconds(r.segOnset), End: seconds(speechEnd),
		Text: sp.res.Text, Words: sp.res.Words, Decode: sp.d, Duration: seconds(int64(n)), Provisional: true})
	r.pieces++
	words := make([]string, len(sp.res.Words))
	for i, w := range sp.res.Words {
		words[i] = w.Word
	}
	r.prevWords, r.prevLast = strings.Join(words, " "), words[len(words)-1]
	r.prevStart = r.uttStart
	r.prevAudio = append(r.prevAudio[:0], r.utt[:n]...)
	if r.fd != nil {
		rows := n / features.HopLength * r.fd.FeatureExtractor().NumMels()
		r.prevFeats = append(r.prevFeats[:0], r.feats[:min(rows, len(r.feats))]...)
	}
	r.dropDecoded(n)
	r.segSpeech = false
	r.spec = nil
	r.lastPartial = ""
	r.nextPartial = len(r.utt) + samples(r.cfg.PartialInterval/2)
}

// dropDecoded removes the first n samples of utt (a whole number of grid steps), with their
// VAD scores and feature frames: the next piece starts there.
func (r *run) dropDecoded(n int) {
	r.utt = r.utt[:copy(r.utt, r.utt[n:])]
	r.uttStart += int64(n)
	keep := min(len(r.probs), (len(r.utt)+vad.FrameSize-1)/vad.FrameSize)
	r.probs = r.probs[:copy(r.probs, r.probs[len(r.probs)-keep:])]
	if r.fd != nil {
		nm := r.fd.FeatureExtractor().NumMels()
		drop := min(len(r.feats), n/features.HopLength*nm)
		r.feats = r.feats[:copy(r.feats, r.feats[drop:])]
	}
}

// sendHeard sends the utterance's audio that no event has carried yet, up to its last speech
// frame, once there is HeardInterval of it. It stays clear of where cut may end the
// utterance (the last ~3 s before MaxUtterance), so that what it sends is always this
// utterance's.
func (r *run) sendHeard() {
	if r.cfg.HeardInterval <= 0 {
		return
	}
	upTo := min(int(r.lastSpeech-r.uttStart), samples(r.cfg.MaxUtterance)-cutSearch*vad.FrameSize-vad.FrameSize, len(r.utt))
	if upTo-r.heard < samples(r.cfg.HeardInterval) {
		return
	}
	r.emit(Event{Kind: Heard, Utterance: r.nUtt, Start: seconds(r.segOnset), End: seconds(r.lastSpeech),
		Audio: append([]float32(nil), r.utt[r.heard:upTo]...), AudioStart: seconds(r.uttStart + int64(r.heard))})
	r.heard = upTo
}

// unsent is a copy of the first n samples of utt less what Heard events carried already, and
// the stream time it starts at: the audio of an End.
func (r *run) unsent(n int) ([]float32, float64) {
	from := min(r.heard, n)
	return append([]float32(nil), r.utt[from:n]...), seconds(r.uttStart + int64(from))
}

// cutSearch is how many VAD frames back from MaxUtterance cut looks for its quietest one.
const cutSearch = 3 * SampleRate / vad.FrameSize

// cut ends an utterance that reached MaxUtterance at the quietest frame of its last
// seconds and carries on with the rest as a new utterance.
func (r *run) cut(ctx context.Context) {
	best, bestP := len(r.probs), float32(math.Inf(1))
	for i := len(r.probs) - 1; i >= max(1, len(r.probs)-cutSearch); i-- {
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
	r.newUtterance(end)
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
