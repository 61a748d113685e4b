package app

// Controls from outside the transcript: pause, `hark ctl` commands, audio cues.

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"hark/dictation"
)

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
