package app

import (
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"hark/app/hotkey"
)

// Settings are the user's choices, persisted with Fyne preferences.
type Settings struct {
	Device     string // capture device name; "" is the system default
	ModelDir   string // model directory; "" is the embedded model
	Beam       int    // beam width; 0 is the default
	VAD        string // "silero" or "energy"
	Silence    time.Duration
	EarlyText  bool   // send the text so far at a short pause (provisional finals), before the utterance ends
	Continuous bool   // keep listening after each utterance
	Copy       bool   // copy each utterance to the clipboard
	Type       bool   // type each utterance into the focused window
	Paste      bool   // insert by clipboard + Ctrl+V instead of key presses (the clipboard is restored)
	Commands   bool   // spoken punctuation commands ("comma", "new line")
	Capitalise bool   // sentence case and "I"
	FinalStop  bool   // a full stop at the end of each utterance
	KeepAudio  bool   // save each utterance's audio in the history before decoding
	HistoryMB  int    // history size cap; the oldest utterances go first
	Cues       bool   // short sounds when listening starts and stops and text is delivered
	HotkeyOn   bool   // grab a system-wide hotkey (X11)
	Hotkey     string // its combination, as hotkey.Parse reads it
	HotkeyMode string // "toggle" or "hold" (push to talk)
	Tray       bool   // a tray icon (where the desktop has a tray); closing the window then hides it
}

// Preference keys.
const (
	prefDevice     = "device"
	prefModelDir   = "model_dir"
	prefBeam       = "beam"
	prefVAD        = "vad"
	prefSilenceMS  = "silence_ms"
	prefEarlyText  = "early_text"
	prefContinuous = "continuous"
	prefCopy       = "copy_to_clipboard"
	prefType       = "type_into_window"
	prefPaste      = "insert_by_paste"
	prefCommands   = "spoken_commands"
	prefCapitalise = "capitalise"
	prefFinalStop  = "final_stop"
	prefKeepAudio  = "keep_audio"
	prefHistoryMB  = "history_mb"
	prefCues       = "audio_cues"
	prefHotkeyOn   = "hotkey_enabled"
	prefHotkey     = "hotkey"
	prefHotkeyMode = "hotkey_mode"
	prefTray       = "tray_icon"
)

// DefaultSettings are used where nothing was saved yet.
func DefaultSettings() Settings {
	return Settings{VAD: "silero", Silence: 800 * time.Millisecond, EarlyText: false, Continuous: true,
		Commands: true, Capitalise: true, FinalStop: true, KeepAudio: true, HistoryMB: 500, Cues: true,
		HotkeyOn: true, Hotkey: hotkey.Default.String(), HotkeyMode: string(hotkey.Toggle), Tray: true}
}

// LoadSettings reads the settings from p.
func LoadSettings(p fyne.Preferences) Settings {
	d := DefaultSettings()
	s := Settings{
		Device:     p.String(prefDevice),
		ModelDir:   p.String(prefModelDir),
		Beam:       p.IntWithFallback(prefBeam, d.Beam),
		VAD:        p.StringWithFallback(prefVAD, d.VAD),
		Silence:    time.Duration(p.IntWithFallback(prefSilenceMS, int(d.Silence/time.Millisecond))) * time.Millisecond,
		EarlyText:  p.BoolWithFallback(prefEarlyText, d.EarlyText),
		Continuous: p.BoolWithFallback(prefContinuous, d.Continuous),
		Copy:       p.Bool(prefCopy),
		Type:       p.Bool(prefType),
		Paste:      p.Bool(prefPaste),
		Commands:   p.BoolWithFallback(prefCommands, d.Commands),
		Capitalise: p.BoolWithFallback(prefCapitalise, d.Capitalise),
		FinalStop:  p.BoolWithFallback(prefFinalStop, d.FinalStop),
		KeepAudio:  p.BoolWithFallback(prefKeepAudio, d.KeepAudio),
		HistoryMB:  p.IntWithFallback(prefHistoryMB, d.HistoryMB),
		Cues:       p.BoolWithFallback(prefCues, d.Cues),
		HotkeyOn:   p.BoolWithFallback(prefHotkeyOn, d.HotkeyOn),
		Hotkey:     p.StringWithFallback(prefHotkey, d.Hotkey),
		HotkeyMode: p.StringWithFallback(prefHotkeyMode, d.HotkeyMode),
		Tray:       p.BoolWithFallback(prefTray, d.Tray),
	}
	return s.valid()
}

// valid replaces out-of-range values by defaults.
func (s Settings) valid() Settings {
	d := DefaultSettings()
	if s.Beam < 0 || s.Beam > 1024 {
		s.Beam = d.Beam
	}
	if s.VAD != "silero" && s.VAD != "energy" {
		s.VAD = d.VAD
	}
	if s.Silence < 100*time.Millisecond || s.Silence > 10*time.Second {
		s.Silence = d.Silence
	}
	if s.HistoryMB < 10 || s.HistoryMB > 100000 {
		s.HistoryMB = d.HistoryMB
	}
	if c, err := hotkey.Parse(s.Hotkey); err != nil {
		s.Hotkey = d.Hotkey
	} else {
		s.Hotkey = c.String()
	}
	if _, err := hotkey.ParseMode(s.HotkeyMode); err != nil {
		s.HotkeyMode = d.HotkeyMode
	}
	return s
}

// isModelPath says whether a model setting is a directory given by path (not an installed
// model's name, which the store keeps).
func isModelPath(m string) bool {
	return strings.ContainsRune(m, filepath.Separator) || strings.HasPrefix(m, ".")
}

// Save writes the settings to p.
func (s Settings) Save(p fyne.Preferences) {
	p.SetString(prefDevice, s.Device)
	// An installed model's name is not kept here: the model store owns which one is the
	// default (`hark models default`, the Models window's Use), so the window and the
	// command line cannot disagree. Only a model directory given by path is a setting.
	if isModelPath(s.ModelDir) {
		p.SetString(prefModelDir, s.ModelDir)
	} else {
		p.SetString(prefModelDir, "")
	}
	p.SetInt(prefBeam, s.Beam)
	p.SetString(prefVAD, s.VAD)
	p.SetInt(prefSilenceMS, int(s.Silence/time.Millisecond))
	p.SetBool(prefEarlyText, s.EarlyText)
	p.SetBool(prefContinuous, s.Continuous)
	p.SetBool(prefCopy, s.Copy)
	p.SetBool(prefType, s.Type)
	p.SetBool(prefPaste, s.Paste)
	p.SetBool(prefCommands, s.Commands)
	p.SetBool(prefCapitalise, s.Capitalise)
	p.SetBool(prefFinalStop, s.FinalStop)
	p.SetBool(prefKeepAudio, s.KeepAudio)
	p.SetInt(prefHistoryMB, s.HistoryMB)
	p.SetBool(prefCues, s.Cues)
	p.SetBool(prefHotkeyOn, s.HotkeyOn)
	p.SetString(prefHotkey, s.Hotkey)
	p.SetString(prefHotkeyMode, s.HotkeyMode)
	p.SetBool(prefTray, s.Tray)
}
