package app

import (
	"context"
	"os"

	"hark/app/hotkey"
	"hark/app/hotkey/x11"
	"hark/app/sni"
	"hark/asr"
	"hark/asr/stream"
	"hark/audio"
	"hark/audio/portaudio"
	"hark/dictation"
	"hark/dictation/history"
	"hark/internal/live"
	"hark/models"
)

// Engine is a loaded recognizer the window dictates with.
type Engine interface {
	NewStreamer() (*stream.Streamer, error)
	Decoder() stream.Decoder // the batch recognizer, for decoding saved utterances again
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
	// History opens the utterance history (nil: utterances are not saved).
	History func(Settings) (*history.Store, error)
	// FindTyper finds the tool that types into other windows.
	FindTyper func() (dictation.Keyboard, error)
	// FindPlayer finds the command that plays audio cues (nil: no cues).
	FindPlayer func() (*dictation.Player, error)
	// Models opens the store of installed models (nil: the one in the XDG data directory).
	Models func() (*models.Store, error)
	// CheckModel validates an unpacked model before it is installed (nil: loader.Validate).
	CheckModel func(ctx context.Context, dir string) error
	// Hotkey grabs a system-wide key combination (nil: no hotkey).
	Hotkey func(hotkey.Combo) (hotkey.Hotkey, error)
	// TrayAvailable says whether the desktop shows tray icons (nil: assume it does).
	TrayAvailable func() (bool, error)
	// Executable is the path of the hark program, for the start-on-login entry (nil: "hark").
	Executable func() (string, error)
	// WaitKeys waits until the user has let go of modifier keys, before text is typed
	// (nil: no wait).
	WaitKeys func()
}

// streamConfig is the endpointing the settings ask for.
func streamConfig(s Settings) stream.Config {
	c := stream.Config{TrailingSilence: s.Silence}
	if s.EarlyText {
		c.ProvisionalSilence = stream.DefaultProvisionalSilence
	}
	return c
}

// RealDeps use the model loader, ONNX Runtime and PortAudio.
func RealDeps() Deps {
	return Deps{
		LoadEngine: func(s Settings) (Engine, error) {
			return live.Load(live.Options{Model: s.ModelDir, Decode: asr.Config{Beam: s.Beam, Commands: s.Commands}, VAD: s.VAD, Stream: streamConfig(s)})
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
		History: func(s Settings) (*history.Store, error) {
			return history.OpenDefault(int64(s.HistoryMB) << 20)
		},
		FindTyper:     dictation.FindKeyboard,
		FindPlayer:    dictation.FindPlayer,
		TrayAvailable: sni.Available,
		Executable:    os.Executable,
		WaitKeys:      func() { realKeyWait().wait() },
		Hotkey: func(c hotkey.Combo) (hotkey.Hotkey, error) {
			h, err := x11.Register("", c)
			if err != nil {
				return nil, err
			}
			return h, nil
		},
	}
}
