package app

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hark/asr/stream"
	"hark/audio"
	"hark/dictation"
	"hark/dictation/history"
)

// recordShortcut toggles recording (Ctrl+R, Cmd+R on macOS).
var recordShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}

// UI is the dictation window's state and widgets.
type UI struct {
	app  fyne.App
	win  fyne.Window
	deps Deps

	mu       sync.Mutex // guards settings, engine, loading
	settings Settings
	engine   Engine
	loading  bool
	delivery *dictation.Delivery // typing, pasting and the clipboard, and taking them back
	keeper   *dictation.Keeper   // saves utterances in the history
	hotkey   hotkeyState
	tray     trayState // UI goroutine (note: guarded by mu)
	// replugCancel stops waiting for a lost microphone; replugEvery is how often the
	// device list is read meanwhile (0: every 2 s).
	replugCancel func()
	replugEvery  time.Duration
	reopened     audio.Source // the device found again, for the next Start (guarded by mu)
	// autoRecord starts dictation once the model has loaded (the --record option).
	autoRecord bool
	inputLabel string // describes a replayed input instead of the device

	ctl *dictation.Controller

	store       *history.Store // utterance history (nil until first used, or when it cannot open)
	storeErr    error
	player      *dictation.Player
	playerErr   error
	undoInHark  atomic.Bool // the undo in progress was started in Hark's window (it has the focus)
	closing     atomic.Bool // the window is closing: the last utterance is kept, not delivered
	histWin     fyne.Window // the History window, when open (UI goroutine)
	histList    *widget.List
	histEntries []history.Entry

	record     *widget.Button
	pause      *widget.Button
	level      *levelMeter
	stateLabel *widget.Label
	partial    *widget.RichText
	transcript *widget.Entry
	history    *widget.List
	status     *widget.Label
	utts       []dictation.Utterance // shown in history (UI goroutine only)
	lastLevel  time.Time             // level meter throttle (UI goroutine only)
	shownState dictation.State       // for cues (UI goroutine only)

	// saveTo, when set, replaces the file dialog (tests).
	saveTo func() (string, error)
	// do runs a function on the UI goroutine: fyne.Do, or a test's event loop.
	do func(func())
}

// newUI builds the window's content and binds it to a dictation controller. do runs
// functions on the UI goroutine (fyne.Do); every widget change goes through it.
func newUI(a fyne.App, w fyne.Window, deps Deps, do func(func())) *UI {
	u := &UI{app: a, win: w, deps: deps, settings: LoadSettings(a.Preferences()), do: do}
	u.delivery = &dictation.Delivery{Options: u.deliveryOptions, Clipboard: &fyneClipboard{u: u, prev: map[int]string{}},
		WaitKeys: func() {
			if w := u.deps.WaitKeys; w != nil {
				w()
			}
		},
		FindTyper: func() (dictation.Keyboard, error) {
			if f := u.deps.FindTyper; f != nil { // tests set it after newUI
				return f()
			}
			return dictation.FindKeyboard()
		}}
	u.keeper = &dictation.Keeper{Store: u.historyStore, Model: u.engineName,
		Failed: func(err error) { u.do(func() { u.setStatus("Error: " + oneLine(err)) }) }}
	u.ctl = dictation.New(u.openInput, u.newStreamer,
		dictation.Config{Continuous: u.settings.Continuous, Deliver: u.delivery.Deliver, Format: u.formatText,
			Keep: u.keep, KeepMore: u.keepMore, Record: u.recordOutcome,
			Retract: func(ut dictation.Utterance) error { return u.delivery.Retract(ut, u.undoInHark.Load()) }},
		func(up dictation.Update) { u.do(func() { u.apply(up) }) })
	u.build()
	return u
}

func (u *UI) build() {
	u.record = widget.NewButtonWithIcon("Record", theme.MediaRecordIcon(), u.toggle)
	u.record.Importance = widget.HighImportance
	u.level = newLevelMeter()
	u.stateLabel = widget.NewLabel("Idle")
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), u.showSettings)
	u.pause = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), u.togglePause)
	top := container.NewBorder(nil, nil, container.NewHBox(u.record, u.pause),
		container.NewHBox(u.stateLabel, settings),
		container.NewPadded(u.level))

	u.partial = widget.NewRichText()
	u.partial.Wrapping = fyne.TextWrapWord
	u.setPartial("")

	u.transcript = widget.NewMultiLineEntry()
	u.transcript.Wrapping = fyne.TextWrapWord
	u.transcript.SetPlaceHolder("Press Record (Ctrl+R) and speak: the transcript appears here, and you can edit it.")

	buttons := container.NewHBox(
		widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), u.copyAll),
		widget.NewButtonWithIcon("Save .txt", theme.DocumentSaveIcon(), u.save),
		widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), u.clear),
		widget.NewButtonWithIcon("Undo last", theme.ContentUndoIcon(), u.undo),
		widget.NewButtonWithIcon("History…", theme.HistoryIcon(), u.showHistory),
	)
	left := container.NewBorder(u.partial, buttons, nil, nil, u.transcript)

	u.history = widget.NewList(
		func() int { return len(u.utts) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("00:00:00  utterance")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			ut := u.utts[len(u.utts)-1-i] // newest first
			o.(*widget.Label).SetText(fmt.Sprintf("%s  %s", ut.At.Format("15:04:05"), ut.Text))
		})
	u.history.OnSelected = func(i widget.ListItemID) {
		ut := u.utts[len(u.utts)-1-i]
		u.app.Clipboard().SetContent(ut.Text)
		u.setStatus(fmt.Sprintf("Copied utterance %d to the clipboard.", ut.N))
		u.history.UnselectAll()
	}
	historyBox := container.NewBorder(widget.NewLabelWithStyle("History (click to copy)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, u.history)

	split := container.NewHSplit(left, historyBox)
	split.Offset = 0.68

	u.status = widget.NewLabel("Loading model…")
	u.status.Wrapping = fyne.TextWrapWord // the whole status, on two lines if need be (issue 17: cut off at the default size)

	u.win.SetContent(container.NewBorder(top, u.status, nil, nil, split))
	u.win.Canvas().AddShortcut(recordShortcut, func(fyne.Shortcut) { u.toggle() })
	u.win.Canvas().AddShortcut(pauseShortcut, func(fyne.Shortcut) { u.togglePause() })
	u.win.Canvas().AddShortcut(undoShortcut, func(fyne.Shortcut) { u.undo() })
	u.win.Canvas().AddShortcut(historyShortcut, func(fyne.Shortcut) { u.showHistory() })
	u.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu("File",
			&fyne.MenuItem{Label: "Save transcript…", Action: u.save, Shortcut: &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}},
			&fyne.MenuItem{Label: "Settings…", Action: u.showSettings},
		),
		fyne.NewMenu("Dictation",
			&fyne.MenuItem{Label: "Record / Stop", Action: u.toggle, Shortcut: recordShortcut},
			&fyne.MenuItem{Label: "Pause / Resume", Action: u.togglePause, Shortcut: pauseShortcut},
			&fyne.MenuItem{Label: "Discard utterance", Action: u.ctl.Cancel},
			&fyne.MenuItem{Label: "Undo last utterance (or say \"scratch that\")", Action: u.undo, Shortcut: undoShortcut},
			&fyne.MenuItem{Label: "History…", Action: u.showHistory, Shortcut: historyShortcut},
			&fyne.MenuItem{Label: "Copy transcript", Action: u.copyAll},
			&fyne.MenuItem{Label: "Clear transcript", Action: u.clear},
		),
	))
}

// start loads the engine in the background.
func (u *UI) start() { u.reload() }

// reload (re)loads the engine for the current settings, off the UI goroutine.
func (u *UI) reload() {
	u.mu.Lock()
	if u.loading {
		u.mu.Unlock()
		return
	}
	u.loading = true
	s := u.settings
	old := u.engine
	u.engine = nil
	u.mu.Unlock()
	u.setStatus("Loading model…")
	go func() {
		if old != nil {
			old.Close()
		}
		eng, err := u.deps.LoadEngine(s)
		u.mu.Lock()
		u.loading = false
		u.engine = eng
		u.mu.Unlock()
		u.do(func() {
			if err != nil {
				u.showError(fmt.Errorf("cannot load the model: %w", err))
				u.setStatus("No model loaded: " + oneLine(err))
				return
			}
			u.setStatus(u.readyText())
			u.offerPending()
			u.mu.Lock()
			auto := u.autoRecord
			u.autoRecord = false
			u.mu.Unlock()
			if auto {
				u.toggle()
			}
		})
	}()
}

func (u *UI) readyText() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.engine == nil {
		return "No model loaded"
	}
	dev := u.settings.Device
	switch {
	case u.inputLabel != "":
		dev = u.inputLabel
	case dev == "":
		dev = "default input"
	}
	text := fmt.Sprintf("Model %s · VAD %s · %s", u.engine.ModelName(), u.engine.VADName(), dev)
	for _, note := range []string{u.hotkey.note, u.tray.note} {
		if note != "" {
			text += " · " + note
		}
	}
	return text
}

func (u *UI) newStreamer() (*stream.Streamer, error) {
	u.mu.Lock()
	eng, loading := u.engine, u.loading
	u.mu.Unlock()
	if eng == nil {
		if loading {
			return nil, errors.New("the model is still loading; try again in a moment")
		}
		return nil, errors.New("no model is loaded (choose one in Settings)")
	}
	return eng.NewStreamer()
}

func (u *UI) openInput() (audio.Source, error) {
	u.mu.Lock()
	s, src := u.settings, u.reopened
	u.reopened = nil
	u.mu.Unlock()
	if src != nil {
		return src, nil
	}
	return u.deps.OpenInput(s)
}

// toggle starts or stops dictation (button, Ctrl+R, menu).
func (u *UI) toggle() {
	u.stopReplug()
	if u.ctl.State() != dictation.Idle {
		u.ctl.Stop()
		return
	}
	u.record.Disable() // until the state changes, so a double click does not start twice
	go func() {
		// A failure is reported (dialog and status) through the controller's updates.
		_ = u.ctl.Start()
		u.do(u.record.Enable)
	}()
}

// apply shows one update from the controller (UI goroutine).
func (u *UI) apply(up dictation.Update) {
	switch up.Kind {
	case dictation.StateChanged:
		prev := u.shownState
		u.shownState = up.State
		u.showState(up.State)
		u.updateTray(up.State)
		switch {
		case prev == dictation.Idle && up.State != dictation.Idle:
			go u.cue(dictation.CueStart)
		case prev != dictation.Idle && up.State == dictation.Idle:
			go u.cue(dictation.CueStop)
		}
	case dictation.Delivered:
		u.setStatus(fmt.Sprintf("Utterance %d %s · latency %s · RTF %.3f", up.Utterance.N, up.Utterance.Delivered, millis(up.Utterance.Decode), up.Utterance.RTF()))
		if !up.Utterance.Open {
			go u.cue(dictation.CueDelivered) // once per utterance, not per piece
		}
	case dictation.Undone:
		u.undone(up.Utterance)
	case dictation.LevelChanged:
		// 31 updates a second arrive; 15 a second are plenty for the eye.
		if now := time.Now(); now.Sub(u.lastLevel) >= 60*time.Millisecond {
			u.lastLevel = now
			u.level.SetLevel(levelFraction(up.Level), up.Prob >= 0.5)
		}
	case dictation.PartialChanged:
		u.setPartial(up.Partial)
	case dictation.FinalAdded:
		ut := up.Utterance
		u.appendTranscript(ut.Append)
		u.utts = append(u.utts, ut)
		u.history.Refresh()
		u.setStatus(fmt.Sprintf("%s · latency %s · RTF %.3f", u.readyText(), millis(ut.Decode), ut.RTF()))
	case dictation.FinalExtended:
		// The next piece of the last utterance (or its full stop): appended where it ends.
		ut := up.Utterance
		u.extendTranscript(ut.Append)
		for i := len(u.utts) - 1; i >= 0; i-- {
			if u.utts[i].N == ut.N {
				u.utts[i] = ut
				break
			}
		}
		u.history.Refresh()
		u.setStatus(fmt.Sprintf("%s · latency %s · RTF %.3f", u.readyText(), millis(ut.Decode), ut.RTF()))
	case dictation.Failed:
		u.setStatus("Error: " + oneLine(up.Err))
		u.showError(up.Err)
		u.deviceLost(up.Err)
	}
}

func (u *UI) showState(s dictation.State) {
	switch s {
	case dictation.Idle:
		u.record.SetText("Record")
		u.record.SetIcon(theme.MediaRecordIcon())
		u.record.Importance = widget.HighImportance
		u.stateLabel.SetText("Idle")
		u.level.SetLevel(0, false)
		u.setPartial("")
	default:
		u.record.SetText("Stop")
		u.record.SetIcon(theme.MediaStopIcon())
		u.record.Importance = widget.DangerImportance
		u.stateLabel.SetText(map[dictation.State]string{
			dictation.Listening:  "Listening…",
			dictation.Speech:     "Hearing speech…",
			dictation.Finalising: "Finishing…",
		}[s])
		if u.ctl.Paused() && s == dictation.Listening {
			u.stateLabel.SetText("Paused")
		}
	}
	u.record.Refresh()
}

// millis shows a duration in milliseconds, with a decimal below 10 ms.
func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// levelFraction maps an RMS level in dBFS to the meter: -60 dB empty, 0 dB full.
func levelFraction(db float64) float64 {
	return min(1, max(0, (db+60)/60))
}

func (u *UI) appendTranscript(text string) {
	cur := u.transcript.Text
	switch {
	case cur == "":
	case strings.HasSuffix(cur, "\n") || strings.HasSuffix(cur, " "):
	default:
		cur += "\n"
	}
	u.setTranscript(cur + text)
}

// extendTranscript appends text to the transcript as it is (the rest of an utterance).
func (u *UI) extendTranscript(text string) { u.setTranscript(u.transcript.Text + text) }

func (u *UI) setTranscript(text string) {
	u.transcript.SetText(text)
	// Keep the cursor at the end, where the next words go.
	lines := strings.Split(u.transcript.Text, "\n")
	u.transcript.CursorRow = len(lines) - 1
	u.transcript.CursorColumn = len([]rune(lines[len(lines)-1]))
	u.transcript.Refresh()
}

func (u *UI) copyAll() {
	u.app.Clipboard().SetContent(u.transcript.Text)
	u.setStatus("Copied the transcript to the clipboard.")
}

func (u *UI) clear() {
	u.transcript.SetText("")
	u.setPartial("")
	u.utts = nil
	u.ctl.ClearTranscript()
	u.history.Refresh()
}

func (u *UI) save() {
	text := u.transcript.Text
	if !strings.HasSuffix(text, "\n") && text != "" {
		text += "\n"
	}
	if u.saveTo != nil {
		path, err := u.saveTo()
		if err == nil {
			err = os.WriteFile(path, []byte(text), 0o644)
		}
		u.saved(path, err)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			if err != nil {
				u.showError(err)
			}
			return
		}
		_, werr := w.Write([]byte(text))
		cerr := w.Close()
		u.saved(w.URI().Path(), errors.Join(werr, cerr))
	}, u.win)
	d.SetFileName("transcript-" + time.Now().Format("2006-01-02-1504") + ".txt")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".txt"}))
	d.Show()
}

func (u *UI) saved(path string, err error) {
	if err != nil {
		u.showError(fmt.Errorf("could not save the transcript: %w", err))
		return
	}
	u.setStatus("Saved the transcript to " + path)
}

func (u *UI) setStatus(s string) { u.status.SetText(s) }

// setPartial shows the utterance-so-far in grey italics, apart from the final transcript.
func (u *UI) setPartial(text string) {
	u.partial.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: text,
		Style: widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, TextStyle: fyne.TextStyle{Italic: true}}}}
	u.partial.Refresh()
}

// partialText is the partial being shown.
func (u *UI) partialText() string { return u.partial.String() }

func (u *UI) showError(err error) {
	if err == nil {
		return
	}
	dialog.ShowError(err, u.win)
}

// oneLine keeps an error message to one line for the status bar.
func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
}
