package app

// The utterance history as the window keeps and shows it: saving through dictation.Keeper,
// the History window, re-decoding and playing saved utterances, the offer to decode
// utterances a crash left pending.

import (
	"context"
	"errors"
	"fmt"
	"os/exec"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hark/dictation"
	"hark/dictation/history"
)

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
	return u.keeper.Keep(samples)
}

// keepMore adds the next piece of an utterance's audio to its history entry, before the
// piece is decoded (controller goroutine).
func (u *UI) keepMore(id string, samples []float32) error { return u.keeper.KeepMore(id, samples) }

// recordOutcome writes how an utterance ended into its history entry (controller goroutine).
func (u *UI) recordOutcome(ut dictation.Utterance) {
	if ut.ID == "" || u.historyStore() == nil {
		return
	}
	u.keeper.Record(ut)
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
		e, err := u.keeper.Redecode(context.Background(), eng.Decoder(), id, func(raw string) string { return u.formatText(raw, true) })
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
