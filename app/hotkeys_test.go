package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"hark/app/hotkey"
	"hark/asr/vad/vadtest"
	"hark/dictation"
)

// chanHotkey is a registered hotkey whose events the test sends.
type chanHotkey struct {
	ev     chan hotkey.Event
	closed bool
}

func (c *chanHotkey) Events() <-chan hotkey.Event { return c.ev }
func (c *chanHotkey) Close() error {
	if !c.closed {
		c.closed = true
		close(c.ev)
	}
	return nil
}

// withHotkey makes the harness's hotkey registration hand out test hotkeys (or fail).
func withHotkey(h *harness, fail error) (got chan hotkey.Combo, keys chan *chanHotkey) {
	got, keys = make(chan hotkey.Combo, 4), make(chan *chanHotkey, 4)
	h.u.deps.Hotkey = func(c hotkey.Combo) (hotkey.Hotkey, error) {
		got <- c
		if fail != nil {
			return nil, fail
		}
		k := &chanHotkey{ev: make(chan hotkey.Event, 4)}
		keys <- k
		return k, nil
	}
	return got, keys
}

func TestHotkeyToggles(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	combos, keys := withHotkey(h, nil)
	h.loaded()
	u.applyHotkey()
	if c := <-combos; c != hotkey.Default {
		t.Fatalf("registered %v, want the default %v", c, hotkey.Default)
	}
	k := <-keys
	h.pump("status", func() bool { return strings.Contains(u.status.Text, "hotkey Ctrl+Alt+H starts/stops dictation") })
	h.mics <- newFakeMic(nil, phrase(600))
	k.ev <- hotkey.Event{Kind: hotkey.Pressed}
	k.ev <- hotkey.Event{Kind: hotkey.Released}
	h.pump("recording", func() bool { return u.record.Text == "Stop" })
	h.pump("final", func() bool { return finished(u, 1) })
	k.ev <- hotkey.Event{Kind: hotkey.Pressed}
	k.ev <- hotkey.Event{Kind: hotkey.Released}
	h.pump("stopped", func() bool { return u.ctl.State() == dictation.Idle && u.record.Text == "Record" })

	// Changing the combination in Settings registers the new one and releases the old.
	f, _ := u.newSettingsForm(u.settings)
	f.hotkey.SetText("super+F9")
	u.applySettings(f.settings())
	if c := <-combos; c.String() != "Super+F9" {
		t.Fatalf("registered %v", c)
	}
	<-keys
	if !k.closed {
		t.Error("the old hotkey was not released")
	}
	if got := LoadSettings(u.app.Preferences()); got.Hotkey != "Super+F9" || !got.HotkeyOn || got.HotkeyMode != "toggle" {
		t.Errorf("saved %+v", got)
	}
	// Turning it off releases it.
	f, _ = u.newSettingsForm(LoadSettings(u.app.Preferences()))
	f.hotkeyOn.SetChecked(false)
	u.applySettings(f.settings())
	if u.hotkey.h != nil || strings.Contains(u.status.Text, "hotkey") {
		t.Errorf("hotkey still on; status %q", u.status.Text)
	}
	u.closeHotkey()
}

func TestHotkeyHoldToTalk(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	_, keys := withHotkey(h, nil)
	h.loaded()
	f, _ := u.newSettingsForm(u.settings)
	f.hotkeyMode.SetSelected(hotkeyModeChoices[1])
	u.applySettings(f.settings())
	if got := LoadSettings(u.app.Preferences()).HotkeyMode; got != "hold" {
		t.Fatalf("mode saved as %q", got)
	}
	k := <-keys
	h.pump("status", func() bool { return strings.Contains(u.status.Text, "hold hotkey Ctrl+Alt+H to dictate") })
	// Speech that never pauses: only the release ends it.
	h.mics <- newFakeMic(nil, vadtest.Concat(vadtest.White(0.8, 1e-4, 1), vadtest.Tone(0.8, 600, 0.3)))
	k.ev <- hotkey.Event{Kind: hotkey.Pressed}
	h.pump("speech", func() bool { return u.stateLabel.Text == "Hearing speech…" })
	k.ev <- hotkey.Event{Kind: hotkey.Released}
	h.pump("idle", func() bool { return u.ctl.State() == dictation.Idle && u.record.Text == "Record" })
	if u.transcript.Text != "Low." {
		t.Errorf("transcript %q", u.transcript.Text)
	}
	u.closeHotkey()
}

func TestHotkeyFailureInStatus(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	withHotkey(h, errors.New("hotkey Ctrl+Alt+H: another application already uses this key combination"))
	h.loaded()
	u.applyHotkey()
	h.pump("status", func() bool {
		return strings.Contains(u.status.Text, "Model fake") && strings.Contains(u.status.Text, "no global hotkey: hotkey Ctrl+Alt+H: another application")
	})
	// A bad combination saved by hand falls back to the default.
	s := u.settings
	s.Hotkey = "Ctrl+Nope"
	if s.valid().Hotkey != "Ctrl+Alt+H" {
		t.Errorf("invalid combination kept: %q", s.valid().Hotkey)
	}
}

// TestHotkeyHoldQuickTap: keys let go before dictation has even started leave it stopped.
func TestHotkeyHoldQuickTap(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	_, keys := withHotkey(h, nil)
	h.loaded()
	u.settings.HotkeyMode = "hold"
	u.applyHotkey()
	k := <-keys
	h.mics <- newFakeMic(nil, phrase(600))
	// Both events are handled before the UI goroutine runs the start.
	k.ev <- hotkey.Event{Kind: hotkey.Pressed}
	k.ev <- hotkey.Event{Kind: hotkey.Released}
	time.Sleep(100 * time.Millisecond)
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		select {
		case f := <-h.queue:
			f()
		case <-time.After(10 * time.Millisecond):
		}
	}
	if st := u.ctl.State(); st != dictation.Idle {
		t.Fatalf("state %v after a quick tap in hold mode", st)
	}
	u.closeHotkey()
}
