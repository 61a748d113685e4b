package live

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"hark/asr"
	"hark/asr/onnx"
	"hark/asr/stream"
	"hark/asr/vad"
	"hark/audio"
	"hark/audio/audiofile"
	"hark/audio/portaudio"
	"hark/internal/loader"
	vadmodel "hark/models/vad"
)

// VAD kinds.
const (
	VADSilero = "silero" // the embedded Silero VAD model (default)
	VADEnergy = "energy" // the pure-Go energy and voicing detector
)

// Options configures an Engine. The zero value loads the embedded model with the Silero VAD
// and default endpointing.
type Options struct {
	Model  string     // model name or directory; "" is the embedded default
	Decode asr.Config // beam, threads, LM, hotwords: the same settings as batch transcription
	VAD    string     // VADSilero or VADEnergy; "" means VADSilero
	Stream stream.Config
}

// Engine holds a loaded model and a VAD. It makes one Streamer at a time: the VAD is
// shared, so two Streamers must not run at once.
type Engine struct {
	opts    Options
	ld      *loader.Loaded
	vad     vad.VAD
	vadName string
}

// HeardInterval is how often the audio of an utterance in progress is handed over (and
// saved in the history) while it goes on.
const HeardInterval = time.Second

// Load opens the model and the VAD.
func Load(opts Options) (*Engine, error) {
	if opts.Stream.HeardInterval == 0 {
		// Live audio is saved as it is heard (issue 17: nothing lost to a crash mid-utterance).
		opts.Stream.HeardInterval = HeardInterval
	}
	m, err := loader.Find(opts.Model)
	if err != nil {
		return nil, err
	}
	ld, err := loader.Load(m, opts.Decode)
	if err != nil {
		return nil, err
	}
	e := &Engine{opts: opts, ld: ld}
	switch strings.ToLower(opts.VAD) {
	case "", VADSilero:
		v, err := onnx.OpenSileroVAD(vadmodel.SileroName, vadmodel.Silero())
		if err != nil {
			ld.Close()
			return nil, fmt.Errorf("voice activity detector: %w", err)
		}
		e.vad, e.vadName = v, VADSilero
	case VADEnergy:
		e.vad, e.vadName = vad.NewEnergy(vad.EnergyConfig{}), VADEnergy
	default:
		ld.Close()
		return nil, fmt.Errorf("unknown voice activity detector %q (want %s or %s)", opts.VAD, VADSilero, VADEnergy)
	}
	return e, nil
}

// ModelName names the loaded model for status lines.
func (e *Engine) ModelName() string {
	if n := e.ld.Model.Name; n != "" {
		return n
	}
	return e.ld.Model.Source
}

// VADName is VADSilero or VADEnergy.
func (e *Engine) VADName() string { return e.vadName }

// Decoder is the batch recognizer, as saved utterances are decoded again with it.
func (e *Engine) Decoder() stream.Decoder { return e.ld.Recognizer }

// NewStreamer returns a streaming recognizer using the engine's model and VAD.
func (e *Engine) NewStreamer() (*stream.Streamer, error) {
	return stream.New(e.ld.Recognizer, e.vad, e.opts.Stream), nil
}

// Close releases the model and the VAD.
func (e *Engine) Close() error {
	var errs []error
	if c, ok := e.vad.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	errs = append(errs, e.ld.Close())
	return errors.Join(errs...)
}

// Input says where live audio comes from.
type Input struct {
	Device string // capture device name or index; "" is the default device
	File   string // replay this audio file instead of capturing
	Fast   bool   // replay as fast as possible instead of in real time
}

// Source is an open live input.
type Source interface {
	audio.Source
	io.Closer
	// Describe says what is being listened to, for status lines.
	Describe() string
}

// Open opens the microphone, or the file to replay.
func Open(in Input) (Source, error) {
	if in.File != "" {
		src, closer, err := audiofile.Open(in.File)
		if err != nil {
			return nil, err
		}
		var s audio.Source = src
		if !in.Fast {
			s = stream.Paced(src)
		}
		return &fileSource{Source: s, c: closer, name: in.File, done: make(chan struct{})}, nil
	}
	c, err := portaudio.Open(portaudio.Options{Device: in.Device})
	if err != nil {
		return nil, err
	}
	return &micSource{c}, nil
}

type micSource struct{ *portaudio.Capture }

func (m *micSource) Describe() string {
	d := m.Device()
	return fmt.Sprintf("%s (%d Hz)", d.Name, m.NativeRate())
}

// fileSource replays a file; Close ends it early (the next Read returns io.EOF). The file
// itself is closed by the Read that reaches its end.
type fileSource struct {
	audio.Source
	c       io.Closer
	name    string
	done    chan struct{}
	closing sync.Once
	release sync.Once
}

func (f *fileSource) Describe() string { return f.name }

func (f *fileSource) Read(p []float32) (int, error) {
	select {
	case <-f.done:
		f.release.Do(func() { f.c.Close() })
		return 0, io.EOF
	default:
	}
	n, err := f.Source.Read(p)
	if err != nil {
		f.release.Do(func() { f.c.Close() })
	}
	return n, err
}

func (f *fileSource) Close() error {
	f.closing.Do(func() { close(f.done) })
	return nil
}
