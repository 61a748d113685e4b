package app

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hark/app/autostart"
	"hark/app/hotkey"
	"hark/dictation"
)

const defaultDevice = "Default input"

var (
	beamChoices    = []string{"1 (greedy, fastest)", "4", "8 (default)", "16", "32"}
	beamValues     = []int{1, 4, 0, 16, 32}
	silenceChoices = []string{"0.4 s", "0.6 s", "0.8 s (default)", "1.2 s", "2 s"}
	silenceValues  = []time.Duration{400 * time.Millisecond, 600 * time.Millisecond, 800 * time.Millisecond, 1200 * time.Millisecond, 2 * time.Second}
	historyChoices = []string{"100 MB (≈ 50 min)", "500 MB (≈ 4 h, default)", "2 GB (≈ 17 h)", "10 GB"}
	historyValues  = []int{100, 500, 2000, 10000}
	// Hotkey modes.
	hotkeyModeChoices = []string{"Press to start/stop", "Hold to talk"}
	hotkeyModeValues  = []string{string(hotkey.Toggle), string(hotkey.Hold)}
)

// settingsForm holds the settings dialog's widgets.
type settingsForm struct {
	device     *widget.Select
	modelDir   *widget.Entry
	beam       *widget.Select
	vad        *widget.Select
	silence    *widget.Select
	earlyText  *widget.Check
	continuous *widget.Check
	copyClip   *widget.Check
	typeText   *widget.Check
	paste      *widget.Check
	commands   *widget.Check
	capitalise *widget.Check
	finalStop  *widget.Check
	keepAudio  *widget.Check
	historyMB  *widget.Select
	cues       *widget.Check
	hotkeyOn   *widget.Check
	hotkey     *widget.Entry
	hotkeyMode *widget.RadioGroup
	tray       *widget.Check
	autostart  *widget.Check
}

func (u *UI) newSettingsForm(s Settings) (*settingsForm, []*widget.FormItem) {
	f := &settingsForm{}
	devices := []string{defaultDevice}
	names, err := u.deps.Devices()
	devHint := "Remembered; used the next time you press Record."
	if err != nil {
		devHint = "Cannot list devices: " + oneLine(err)
	}
	devices = append(devices, names...)
	if s.Device != "" && !contains(devices, s.Device) {
		devices = append(devices, s.Device) // remembered but not present now
	}
	f.device = widget.NewSelect(devices, nil)
	f.device.SetSelected(defaultDevice)
	if s.Device != "" {
		f.device.SetSelected(s.Device)
	}
	f.modelDir = widget.NewEntry()
	f.modelDir.SetPlaceHolder("default model")
	f.modelDir.SetText(s.ModelDir)
	browse := widget.NewButton("Browse…", func() {
		dialog.ShowFolderOpen(func(l fyne.ListableURI, err error) {
			if err == nil && l != nil {
				f.modelDir.SetText(l.Path())
			}
		}, u.win)
	})
	manage := widget.NewButton("Manage…", u.showModels)
	f.beam = widget.NewSelect(beamChoices, nil)
	f.beam.SetSelectedIndex(indexOf(beamValues, s.Beam, 2))
	f.vad = widget.NewSelect([]string{"silero", "energy"}, nil)
	f.vad.SetSelected(s.VAD)
	f.silence = widget.NewSelect(silenceChoices, nil)
	f.silence.SetSelectedIndex(indexOf(silenceValues, s.Silence, 2))
	f.earlyText = widget.NewCheck("Send the words at short pauses: sooner, less accurate (the full stop follows at the end)", nil)
	f.earlyText.SetChecked(s.EarlyText)
	f.continuous = widget.NewCheck("Keep listening after each utterance", nil)
	f.continuous.SetChecked(s.Continuous)
	f.copyClip = widget.NewCheck("Copy each utterance to the clipboard", nil)
	f.copyClip.SetChecked(s.Copy)
	f.typeText = widget.NewCheck("Type each utterance into the focused window", nil)
	f.typeText.SetChecked(s.Type)
	check := func(label string, on bool) *widget.Check {
		c := widget.NewCheck(label, nil)
		c.SetChecked(on)
		return c
	}
	f.paste = check("Insert by pasting (clipboard + Ctrl+V; the clipboard is put back)", s.Paste)
	f.commands = check("Spoken punctuation (\"comma\", \"new line\"; \"literal comma\" types the word)", s.Commands)
	f.capitalise = check("Capitalise sentences and \"I\"", s.Capitalise)
	f.finalStop = check("Full stop at the end of each utterance", s.FinalStop)
	f.keepAudio = check("Save each utterance's audio (before decoding) in the history", s.KeepAudio)
	f.historyMB = widget.NewSelect(historyChoices, nil)
	f.historyMB.SetSelectedIndex(indexOf(historyValues, s.HistoryMB, 1))
	f.cues = check("Sounds when listening starts and stops and when text is delivered", s.Cues)
	f.hotkeyOn = check("System-wide hotkey (X11), works whichever window has the focus", s.HotkeyOn)
	f.hotkey = widget.NewEntry()
	f.hotkey.SetText(s.Hotkey)
	f.hotkey.Validator = func(t string) error { _, err := hotkey.Parse(t); return err }
	f.hotkeyMode = widget.NewRadioGroup(hotkeyModeChoices, nil)
	f.hotkeyMode.Horizontal = true
	f.hotkeyMode.SetSelected(hotkeyModeChoices[indexOf(hotkeyModeValues, s.HotkeyMode, 0)])
	f.tray = check("Tray icon (closing the window keeps Hark running there)", s.Tray)
	f.autostart = check("Start Hark when I log in", autostart.Enabled())
	items := []*widget.FormItem{
		{Text: "Input device", Widget: f.device, HintText: devHint},
		{Text: "Model", Widget: container.NewBorder(nil, nil, nil, container.NewHBox(browse, manage), f.modelDir), HintText: "An installed model's name or a model directory; empty: the default model. Manage… imports real models."},
		{Text: "Beam width", Widget: f.beam},
		{Text: "Voice detector", Widget: f.vad},
		{Text: "End after silence", Widget: container.NewVBox(f.silence, f.earlyText),
			HintText: "Early text: words arrive ~0.15 s after a short pause; the sentence goes on after it."},
		{Text: "Dictation", Widget: container.NewVBox(f.continuous, f.copyClip, f.typeText, f.paste),
			HintText: "Typing uses xdotool (X11) or wtype/ydotool (Wayland); without them the text waits on the clipboard."},
		{Text: "Text", Widget: container.NewVBox(f.commands, f.capitalise, f.finalStop),
			HintText: "Say \"scratch that\" (or press Ctrl+Shift+Z) to remove the last utterance."},
		{Text: "History", Widget: container.NewVBox(f.keepAudio, f.historyMB), HintText: "The oldest utterances are deleted beyond this size."},
		{Text: "Audio cues", Widget: f.cues},
		{Text: "Hotkey", Widget: container.NewVBox(f.hotkeyOn, f.hotkey, f.hotkeyMode),
			HintText: "e.g. Ctrl+Alt+H, Super+F9, Pause. On Wayland: bind `hark ctl toggle` as a desktop shortcut."},
		{Text: "Desktop", Widget: container.NewVBox(f.tray, f.autostart),
			HintText: "The tray setting takes effect at the next start; without a tray, closing the window quits."},
	}
	return f, items
}

func (f *settingsForm) settings() Settings {
	s := Settings{
		ModelDir:   f.modelDir.Text,
		Beam:       beamValues[max(0, f.beam.SelectedIndex())],
		VAD:        f.vad.Selected,
		Silence:    silenceValues[max(0, f.silence.SelectedIndex())],
		EarlyText:  f.earlyText.Checked,
		Continuous: f.continuous.Checked,
		Copy:       f.copyClip.Checked,
		Type:       f.typeText.Checked,
		Paste:      f.paste.Checked,
		Commands:   f.commands.Checked,
		Capitalise: f.capitalise.Checked,
		FinalStop:  f.finalStop.Checked,
		KeepAudio:  f.keepAudio.Checked,
		HistoryMB:  historyValues[max(0, f.historyMB.SelectedIndex())],
		Cues:       f.cues.Checked,
		HotkeyOn:   f.hotkeyOn.Checked,
		Hotkey:     f.hotkey.Text,
		HotkeyMode: hotkeyModeValues[max(0, indexOf(hotkeyModeChoices, f.hotkeyMode.Selected, 0))],
		Tray:       f.tray.Checked,
	}
	if d := f.device.Selected; d != defaultDevice {
		s.Device = d
	}
	return s.valid()
}

func (u *UI) showSettings() {
	u.mu.Lock()
	cur := u.settings
	u.mu.Unlock()
	f, items := u.newSettingsForm(cur)
	// The form is taller than a small window: it scrolls, and Save/Cancel stay visible.
	scroll := container.NewVScroll(widget.NewForm(items...))
	h := u.win.Canvas().Size().Height - 160
	// As wide as the window allows: a narrower scroll cut off the buttons and dropdowns at
	// the default window size (issue 17).
	w := u.win.Canvas().Size().Width - 60
	scroll.SetMinSize(fyne.NewSize(max(620, min(w, 900)), max(240, min(h, 640))))
	d := dialog.NewCustomConfirm("Settings", "Save", "Cancel", scroll, func(ok bool) {
		if !ok {
			return
		}
		if err := f.hotkey.Validate(); err != nil {
			f.hotkey.SetText(cur.Hotkey)
			u.showError(fmt.Errorf("the hotkey was not changed: %w", err))
		}
		u.applySettings(f.settings())
		if err := u.applyAutostart(f.autostart.Checked); err != nil {
			u.showError(err)
		}
	}, u.win)
	d.Show()
}

// applySettings saves s and reloads the model if a setting it depends on changed.
func (u *UI) applySettings(s Settings) {
	u.mu.Lock()
	old := u.settings
	u.settings = s
	u.mu.Unlock()
	u.delivery.LookAgain() // look for the typing tool again
	s.Save(u.app.Preferences())
	u.ctl.SetContinuous(s.Continuous)
	if s.HotkeyOn != old.HotkeyOn || s.Hotkey != old.Hotkey || s.HotkeyMode != old.HotkeyMode {
		u.applyHotkey()
	}
	if st := u.historyStore(); st != nil {
		st.SetMaxBytes(int64(s.HistoryMB) << 20)
	}
	if s.ModelDir != old.ModelDir || s.Beam != old.Beam || s.VAD != old.VAD || s.Silence != old.Silence || s.EarlyText != old.EarlyText || s.Commands != old.Commands {
		if u.ctl.State() != dictation.Idle {
			u.ctl.Stop()
			u.ctl.Wait()
		}
		u.reload()
		return
	}
	u.setStatus(u.readyText())
	if s.Type {
		if _, err := dictation.FindTyper(); err != nil {
			u.showError(fmt.Errorf("typing into other windows will not work: %w", err))
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func indexOf[T comparable](xs []T, x T, def int) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return def
}
