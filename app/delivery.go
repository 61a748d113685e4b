package app

// Delivery as the window binds it: dictation.Delivery over the Fyne clipboard, the undo
// button and shortcut, the text formatting the settings ask for.

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"hark/asr/text"
	"hark/dictation"
)

// undoShortcut removes the last utterance (Ctrl+Shift+Z; Ctrl+Z stays the text area's own undo).
var undoShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}

// deliveryOptions are the delivery settings (controller goroutine).
func (u *UI) deliveryOptions() dictation.DeliveryOptions {
	if u.closing.Load() {
		// Once the window is gone the focus is anywhere: the utterance that was going on is
		// finished and kept in the history, and goes nowhere (issue 17).
		return dictation.DeliveryOptions{}
	}
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
