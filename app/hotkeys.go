package app

import (
	"fmt"
	"sync/atomic"

	"hark/app/hotkey"
	"hark/dictation"
)

// hotkeyState is the registered system-wide hotkey (guarded by UI.mu).
type hotkeyState struct {
	h    hotkey.Hotkey
	note string // for the status line: "hotkey Ctrl+Alt+H toggles" or why there is none
}

// applyHotkey (re)registers the system-wide hotkey the settings ask for; a failure is shown
// in the status line (and kept there), never as a crash.
func (u *UI) applyHotkey() {
	u.mu.Lock()
	s := u.settings
	old := u.hotkey.h
	u.hotkey = hotkeyState{}
	register := u.deps.Hotkey
	u.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
	if !s.HotkeyOn || register == nil {
		u.setStatus(u.readyText())
		return
	}
	combo, err := hotkey.Parse(s.Hotkey)
	if err == nil {
		var h hotkey.Hotkey
		if h, err = register(combo); err == nil {
			note := fmt.Sprintf("hotkey %s starts/stops dictation", combo)
			if s.HotkeyMode == string(hotkey.Hold) {
				note = fmt.Sprintf("hold hotkey %s to dictate", combo)
			}
			u.mu.Lock()
			u.hotkey = hotkeyState{h: h, note: note}
			u.mu.Unlock()
			go hotkey.Dispatch(h, hotkey.Mode(s.HotkeyMode), u.hotkeyActions())
			u.setStatus(u.readyText())
			return
		}
	}
	u.mu.Lock()
	u.hotkey = hotkeyState{note: "no global hotkey: " + oneLine(err)}
	u.mu.Unlock()
	u.setStatus(u.readyText())
}

// hotkeyActions drive dictation from the hotkey goroutine.
func (u *UI) hotkeyActions() hotkey.Actions {
	var held atomic.Bool // hold-to-talk: the keys are down
	return hotkey.Actions{
		Toggle: func() { u.do(u.toggle) },
		Start: func() {
			held.Store(true)
			u.do(func() {
				if !held.Load() || u.ctl.State() != dictation.Idle {
					return // let go already, or dictating
				}
				u.stopReplug()
				u.record.Disable()
				go func() {
					_ = u.ctl.Start() // a failure is reported through the updates
					if !held.Load() {
						u.endHold() // let go while the device was opening
					}
					u.do(u.record.Enable)
				}()
			})
		},
		End: func() {
			held.Store(false)
			u.endHold()
		},
	}
}

// endHold is the push-to-talk end: the utterance in progress is finalised now, without
// waiting for silence, and listening stops.
func (u *UI) endHold() {
	u.ctl.EndUtterance()
	u.ctl.Stop()
}

// closeHotkey releases the hotkey (when the window closes).
func (u *UI) closeHotkey() {
	u.mu.Lock()
	h := u.hotkey.h
	u.hotkey = hotkeyState{}
	u.mu.Unlock()
	if h != nil {
		_ = h.Close()
	}
}
