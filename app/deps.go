package app

import (
	"hark/app/live"
	"hark/asr/stream"
	"hark/audio"
	"hark/audio/portaudio"
)

// Engine is a loaded recognizer the window dictates with.
type Engine interface {
	NewStreamer() (*stream.Streamer, error)
	ModelName() string
	VADName() string
	Close() error
}

// Deps are the window's connections to models and audio hardware; tests replace them.
type Deps struct {
	// LoadEngine loads the model and VAD the settings name (slow: called off the UI goroutine).
	LoadEngine func(Settings) (Engine, error)
	// OpenInput opens the capture device the settings name.
	OpenInput func(Settings) (audio.Source, error)
	// Devices lists capture device names for the settings dialog.
	Devices func() ([]string, error)
}

// RealDeps use the model loader, ONNX Runtime and PortAudio.
func RealDeps() Deps {
	return Deps{
		LoadEngine: func(s Settings) (Engine, error) {
			return live.Load(live.Options{Model: s.ModelDir, Beam: s.Beam, VAD: s.VAD,
				Stream: stream.Config{TrailingSilence: s.Silence}})
		},
		OpenInput: func(s Settings) (audio.Source, error) {
			return live.Open(live.Input{Device: s.Device})
		},
		Devices: func() ([]string, error) {
			devs, err := portaudio.Devices()
			if err != nil {
				return nil, err
			}
			var names []string
			for _, d := range devs {
				names = append(names, d.Name)
			}
			return names, nil
		},
	}
}
