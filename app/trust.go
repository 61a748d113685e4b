package app

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hark/asr/text"
	"hark/dictation"
	"hark/dictation/history"
)

// undoShortcut removes the last utterance (Ctrl+Shift+Z; Ctrl+Z stays the text area's own undo).
var undoShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}

// pauseShortcut pauses and resumes listening (Ctrl+P).
var pauseShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierShortcutDefault}

// togglePause pauses or resumes listening: the device stays open and hears silence (UI goroutine).
func (u *UI) togglePause() {
	on := !u.ctl.Paused()
	u.ctl.SetPaused(on)
	if on {
		u.pause.SetText("Resume")
		u.pause.SetIcon(theme.MediaPlayIcon())
		u.setStatus("Paused: nothing is heard until you press Resume (Ctrl+P).")
	} else {
		u.pause.SetText("Pause")
		u.pause.SetIcon(theme.MediaPauseIcon())
		u.setStatus(u.readyText())
	}
	u.showState(u.ctl.State())
}

// historyShortcut opens the History window (Ctrl+H).
var historyShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierShortcutDefault}

// historyStore opens the utterance history the first time it is needed (nil when it
// cannot be opened; the status line says why).
func (u *UI) historyStore() *history.Store {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.store == nil && u.storeErr == nil && u.deps.History != nil {
		u.store, u.storeErr = u.deps.History(u.settings)
	}
	return u.store
}

// keeper saves utterances in the history for the controller (dictation.Keeper), once the
// store is open.
func (u *UI) keeper() *dictation.Keeper {
	return &dictation.Keeper{Store: u.historyStore, Model: u.engineName,
		Failed: func(err error) { u.do(func() { u.setStatus("Error: " + oneLine(err)) }) }}
}

// keep saves an utterance's audio before it is decoded, when the settings ask for it
// (controller goroutine).
func (u *UI) keep(samples []float32) (string, error) {
	u.mu.Lock()
	on := u.settings.KeepAudio
	u.mu.Unlock()
	if !on {
		return "", nil
	}
	if u.historyStore() == nil {
		u.mu.Lock()
		err := u.storeErr
		u.mu.Unlock()
		return "", err
	}
	return u.keeper().Keep(samples)
}

// keepMore adds the next piece of an utterance's audio to its history entry, before the
// piece is decoded (controller goroutine).
func (u *UI) keepMore(id string, samples []float32) error { return u.keeper().KeepMore(id, samples) }

// recordOutcome writes how an utterance ended into its history entry (controller goroutine).
func (u *UI) recordOutcome(ut dictation.Utterance) {
	if ut.ID == "" || u.historyStore() == nil {
		return
	}
	u.keeper().Record(ut)
	u.do(u.refreshHistory)
}

func (u *UI) engineName() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.engine == nil {
		return ""
	}
	return u.engine.ModelName()
}

// deliveryOptions are the delivery settings (controller goroutine).
func (u *UI) deliveryOptions() dictation.DeliveryOptions {
	u.mu.Lock()
	defer u.mu.Unlock()
	return dictation.DeliveryOptions{Copy: u.settings.Copy, Type: u.settings.Type, Paste: u.settings.Paste}
}

// fyneClipboard is the window's clipboard for dictation.Delivery. Every access runs on the UI
// goroutine, in the order asked; only Swap (pasting) waits for it.
type fyneClipboard struct {
	u    *UI
	prev map[int]string // the clipboard before each copied utterance (UI goroutine)
}

func (c *fyneClipboard) Copy(n int, text string) {
	c.u.do(func() {
		cb := c.u.app.Clipboard()
		if _, ok := c.prev[n]; !ok {
			c.prev[n] = cb.Content() // restored by undo
		}
		cb.SetContent(text)
	})
}

func (c *fyneClipboard) Restore(n int) {
	c.u.do(func() {
		if p, ok := c.prev[n]; ok {
			delete(c.prev, n)
			c.u.app.Clipboard().SetContent(p)
		}
	})
}

func (c *fyneClipboard) Set(text string) { c.u.do(func() { c.u.app.Clipboard().SetContent(text) }) }

func (c *fyneClipboard) Swap(text string) (string, error) {
	set := make(chan string, 1)
	c.u.do(func() {
		cb := c.u.app.Clipboard()
		set <- cb.Content()
		cb.SetContent(text)
	})
	select {
	case prev := <-set:
		return prev, nil
	case <-time.After(2 * time.Second):
		return "", errors.New("the window is busy")
	}
}

// undo removes the last utterance (button, Ctrl+Shift+Z, menu, `hark ctl undo`).
func (u *UI) undo() {
	go func() {
		u.undoInHark.Store(true)
		defer u.undoInHark.Store(false)
		if _, err := u.ctl.Undo(); errors.Is(err, dictation.ErrNothingToUndo) {
			u.do(func() { u.setStatus("Nothing to undo.") })
		}
	}()
}

// undone removes an utterance from the transcript and the list (UI goroutine).
func (u *UI) undone(ut dictation.Utterance) {
	cur := u.transcript.Text
	if strings.HasSuffix(cur, ut.Text) {
		cur = strings.TrimRight(strings.TrimSuffix(cur, ut.Text), "\n")
		u.transcript.SetText(cur)
	}
	for i := len(u.utts) - 1; i >= 0; i-- {
		if u.utts[i].N == ut.N {
			u.utts = append(u.utts[:i], u.utts[i+1:]...)
			break
		}
	}
	u.history.Refresh()
	msg := fmt.Sprintf("Removed “%s”", ut.Text)
	if ut.Delivered != "" {
		msg += " (it had been " + ut.Delivered + ")"
	}
	u.setStatus(msg + ". Its raw words are kept in History.")
}

// formatText writes the recognizer's words as text as the settings ask: casing,
// punctuation and spoken commands ("comma", "new line"); a partial gets no final full stop.
func (u *UI) formatText(raw string, final bool) string {
	u.mu.Lock()
	s := u.settings
	u.mu.Unlock()
	f := text.Formatter{NoCommands: !s.Commands, NoCasing: !s.Capitalise, NoFinalStop: !s.FinalStop || !final}
	return f.Format(raw)
}

// control carries out a `hark ctl` command (control socket goroutine).
func (u *UI) control(cmd string) (string, error) {
	st := u.ctl.State()
	switch cmd {
	case "toggle":
		u.do(u.toggle)
		if st == dictation.Idle {
			return "starting", nil
		}
		return "stopping", nil
	case "start":
		if st == dictation.Idle {
			u.do(func() {
				if u.ctl.State() == dictation.Idle {
					u.toggle()
				}
			})
			return "starting", nil
		}
	case "stop":
		if st != dictation.Idle {
			u.ctl.Stop()
			return "stopping", nil
		}
	case "cancel":
		u.ctl.Cancel()
	case "pause":
		u.do(u.togglePause)
		if u.ctl.Paused() {
			return "resuming", nil
		}
		return "pausing", nil
	case "show":
		// A second `hark` asks the running one to come to the front (one instance at a time).
		u.do(func() {
			u.win.Show()
			u.win.RequestFocus()
		})
		return "shown", nil
	case "undo":
		ut, err := u.ctl.Undo()
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("removed %q", ut.Text), nil
	}
	if u.ctl.Paused() {
		return u.ctl.State().String() + " (paused)", nil
	}
	return u.ctl.State().String(), nil
}

// cue plays a sound if the settings ask for them; a missing player is said once.
func (u *UI) cue(c dictation.Cue) {
	u.mu.Lock()
	on := u.settings.Cues
	if on && u.player == nil && u.playerErr == nil && u.deps.FindPlayer != nil {
		u.player, u.playerErr = u.deps.FindPlayer()
		if u.playerErr != nil {
			err := u.playerErr
			u.do(func() { u.setStatus("Audio cues are off: " + oneLine(err)) })
		}
	}
	p := u.player
	u.mu.Unlock()
	if on && p != nil {
		if err := p.Play(c); err != nil {
			u.do(func() { u.setStatus("Audio cue failed: " + oneLine(err)) })
		}
	}
}

// offerPending asks, once the model is loaded, whether to decode utterances a crash left
// undecoded (UI goroutine).
func (u *UI) offerPending() {
	st := u.historyStore()
	if st == nil {
		return
	}
	p, _ := st.Pending()
	if len(p) == 0 {
		return
	}
	msg := fmt.Sprintf("%d utterance(s) were recorded but never decoded (Hark stopped mid-utterance). Decode them now?", len(p))
	u.setStatus(fmt.Sprintf("%d undecoded utterance(s) from last time: see History (Ctrl+H).", len(p)))
	dialog.ShowConfirm("Unfinished utterances", msg, func(ok bool) {
		if ok {
			for _, e := range p {
				u.redecode(e.ID)
			}
		}
	}, u.win)
}

// redecode decodes a saved utterance again with the loaded model (while not dictating:
// the engine's voice detector serves one stream at a time).
func (u *UI) redecode(id string) {
	st := u.historyStore()
	if st == nil {
		return
	}
	if u.ctl.State() != dictation.Idle {
		u.setStatus("Stop dictating to decode saved utterances again.")
		return
	}
	u.mu.Lock()
	eng := u.engine
	u.mu.Unlock()
	if eng == nil {
		u.setStatus("No model is loaded to decode saved utterances with.")
		return
	}
	go func() {
		e, err := u.keeper().Redecode(context.Background(), eng.Decoder(), id, func(raw string) string { return u.formatText(raw, true) })
		u.do(func() {
			if err != nil {
				u.setStatus("Error: " + oneLine(err))
			} else {
				u.setStatus(fmt.Sprintf("Decoded %s again: %s", id, e.Text))
			}
			u.refreshHistory()
		})
	}()
}

// showHistory opens the History window: saved utterances, newest first, with play, copy,
// re-decode and delete.
func (u *UI) showHistory() {
	if u.histWin != nil {
		u.histWin.Show()
		u.histWin.RequestFocus()
		return
	}
	st := u.historyStore()
	if st == nil {
		u.mu.Lock()
		err := u.storeErr
		u.mu.Unlock()
		if err == nil {
			err = errors.New("the utterance history is off")
		}
		u.showError(err)
		return
	}
	w := u.app.NewWindow("Hark — History")
	u.histList = widget.NewList(
		func() int { return len(u.histEntries) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("2026-01-01 00:00:00  decoded  utterance")
			l.Truncation = fyne.TextTruncateEllipsis
			bs := container.NewHBox(
				widget.NewButtonWithIcon("", theme.MediaPlayIcon(), nil),
				widget.NewButtonWithIcon("", theme.ContentCopyIcon(), nil),
				widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), nil),
				widget.NewButtonWithIcon("", theme.DeleteIcon(), nil))
			return container.NewBorder(nil, nil, nil, bs, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			e := u.histEntries[i]
			c := o.(*fyne.Container)
			text := e.Text
			if text == "" {
				text = e.Raw
			}
			if e.Error != "" {
				text += " [" + e.Error + "]"
			}
			c.Objects[0].(*widget.Label).SetText(fmt.Sprintf("%s  %s  %s", e.Time.Local().Format("2006-01-02 15:04:05"), e.Status, text))
			bs := c.Objects[1].(*fyne.Container).Objects
			id := e.ID
			bs[0].(*widget.Button).OnTapped = func() { u.play(st, id) }
			bs[1].(*widget.Button).OnTapped = func() {
				u.app.Clipboard().SetContent(e.Text)
				u.setStatus("Copied " + id + " to the clipboard.")
			}
			bs[2].(*widget.Button).OnTapped = func() { u.redecode(id) }
			bs[3].(*widget.Button).OnTapped = func() {
				if err := st.Remove(id); err != nil {
					u.showError(err)
				}
				u.refreshHistory()
			}
		})
	hint := widget.NewLabel("Every utterance's audio is saved before decoding, in " + st.Dir() + ". ▶ play · copy · ⟳ decode again with the current model and settings · delete.")
	hint.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewBorder(hint, nil, nil, nil, u.histList))
	w.Resize(fyne.NewSize(760, 420))
	w.SetOnClosed(func() { u.histWin, u.histList = nil, nil })
	u.histWin = w
	u.refreshHistory()
	w.Show()
}

// refreshHistory reloads the History window's entries (UI goroutine).
func (u *UI) refreshHistory() {
	if u.histList == nil {
		return
	}
	st := u.historyStore()
	es, err := st.List()
	if err != nil {
		u.setStatus("History: " + oneLine(err))
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	u.histEntries = es
	u.histList.Refresh()
}

// play plays a saved utterance with paplay or aplay.
func (u *UI) play(st *history.Store, id string) {
	for _, t := range []string{"paplay", "aplay"} {
		if p, err := exec.LookPath(t); err == nil {
			if err := dictation.PlayFile(p, st.AudioPath(id)); err != nil {
				u.showError(err)
			}
			return
		}
	}
	u.showError(dictation.ErrNoPlayer)
}
