package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hark/app/autostart"
	"hark/asr/vad/vadtest"
	"hark/dictation"
	"hark/dictation/history"
)

// fakeTray records what the window puts in the system tray.
type fakeTray struct {
	menu *fyne.Menu
	icon fyne.Resource
	win  fyne.Window
}

func (f *fakeTray) SetSystemTrayMenu(m *fyne.Menu)    { f.menu = m }
func (f *fakeTray) SetSystemTrayIcon(r fyne.Resource) { f.icon = r }
func (f *fakeTray) SetSystemTrayWindow(w fyne.Window) { f.win = w }
func (f *fakeTray) item(label string) *fyne.MenuItem {
	for _, it := range f.menu.Items {
		if it.Label == label {
			return it
		}
	}
	return nil
}

func TestTrayMenu(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	u.deps.TrayAvailable = func() (bool, error) { return true, nil }
	h.loaded()
	tray := &fakeTray{}
	u.setupTray(tray)
	if tray.menu == nil || tray.icon == nil || tray.win != u.win || !u.inTray() {
		t.Fatalf("tray %+v", tray)
	}
	for _, l := range []string{"Start dictation", "Show window", "Quit"} {
		if tray.item(l) == nil {
			t.Fatalf("no %q in the tray menu", l)
		}
	}
	if !tray.item("Quit").IsQuit {
		t.Error("Quit is not the quit item")
	}
	// Start from the tray; the item then offers Stop.
	h.mics <- newFakeMic(nil, phrase(600))
	tray.item("Start dictation").Action()
	h.pump("recording", func() bool { return u.ctl.State() != dictation.Idle })
	h.pump("menu", func() bool { return tray.item("Stop dictation") != nil })
	tray.item("Stop dictation").Action()
	h.pump("idle", func() bool { return u.ctl.State() == dictation.Idle && tray.item("Start dictation") != nil })

	// Closing the window hides it; Show window brings it back.
	w := &recWindow{Window: u.win}
	u.win = w
	u.closeWindow()
	if w.log != "hide " {
		t.Errorf("closing the window with a tray: %q, want hide", w.log)
	}
	tray.item("Show window").Action()
	if w.log != "hide show " {
		t.Errorf("Show window: %q", w.log)
	}
}

// recWindow records Show, Hide and Close.
type recWindow struct {
	fyne.Window
	log string
}

func (w *recWindow) Show()  { w.log += "show " }
func (w *recWindow) Hide()  { w.log += "hide " }
func (w *recWindow) Close() { w.log += "close " }

func TestNoTray(t *testing.T) {
	// The desktop has no tray: no menu, the status line says so, closing quits.
	h := newHarness(t, nil)
	u := h.u
	u.deps.TrayAvailable = func() (bool, error) { return false, errors.New("no D-Bus session bus") }
	h.loaded()
	tray := &fakeTray{}
	u.setupTray(tray)
	if tray.menu != nil || u.inTray() {
		t.Fatal("tray set up on a desktop without one")
	}
	h.pump("status", func() bool { return strings.Contains(u.status.Text, "no tray icon (no D-Bus session bus)") })
	w := &recWindow{Window: u.win}
	u.win = w
	u.closeWindow()
	if w.log != "close " {
		t.Errorf("closing the window without a tray: %q, want close", w.log)
	}
	u.win = w.Window

	// Turned off in the settings: not even asked.
	h2 := newHarness(t, nil)
	asked := false
	h2.u.deps.TrayAvailable = func() (bool, error) { asked = true; return true, nil }
	h2.u.settings.Tray = false
	h2.u.setupTray(tray)
	if asked || tray.menu != nil {
		t.Fatal("tray set up with the setting off")
	}
	f, _ := h2.u.newSettingsForm(h2.u.settings)
	if f.tray.Checked {
		t.Error("form shows the tray on")
	}
	f.tray.SetChecked(true)
	h2.u.applySettings(f.settings())
	if !LoadSettings(h2.u.app.Preferences()).Tray {
		t.Error("tray setting not saved")
	}
}

func TestStartOnLogin(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	h := newHarness(t, nil)
	u := h.u
	exe := filepath.Join(cfg, "bin", "hark")
	u.deps.Executable = func() (string, error) { return exe, nil }
	if f, _ := u.newSettingsForm(u.settings); f.autostart.Checked {
		t.Fatal("start on login shown on")
	}
	if err := u.applyAutostart(true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(cfg, "autostart", autostart.FileName))
	if err != nil || !strings.Contains(string(b), "Exec="+exe+"\n") {
		t.Fatalf("entry %q, %v", b, err)
	}
	if f, _ := u.newSettingsForm(u.settings); !f.autostart.Checked {
		t.Error("start on login not shown on")
	}
	if err := u.applyAutostart(false); err != nil || autostart.Enabled() {
		t.Fatalf("disable: %v", err)
	}
}

// issue 17: closing the window mid-sentence typed the utterance, 2.45 s later, into whatever
// window got the focus, and dropped the transcript without asking. The utterance is now
// finished and kept in the History, and typed nowhere; closing with a transcript asks first.
func TestClosingMidUtteranceTypesNothing(t *testing.T) {
	target := fakeXdotool(t, "")
	h := newHarness(t, nil)
	u := h.u
	u.settings.Type = true
	h.loaded()
	h.mics <- newFakeMic(nil, vadtest.Concat(vadtest.White(0.8, 1e-4, 1), vadtest.Tone(1.0, 600, 0.3)))
	test.Tap(u.record)
	h.pump("speech", func() bool { return u.ctl.State() == dictation.Speech })

	// Closing asks first: dictation is on.
	w := &recWindow{Window: u.win}
	u.win = w
	u.closeWindow()
	if w.log != "" || len(w.Window.Canvas().Overlays().List()) != 1 {
		t.Fatalf("closing while dictating: %q, %d dialogs; want a question and no close", w.log, len(w.Window.Canvas().Overlays().List()))
	}
	u.win = w.Window

	u.shutdown() // what quitting does
	st, _ := history.Open(h.hist, -1)
	h.pump("the utterance recorded", func() bool {
		es, _ := st.List()
		return len(es) == 1 && es[0].Status == history.Decoded && es[0].Text != ""
	})
	if got, calls := target(); got != "" {
		t.Errorf("typed %q after the window closed (calls %q)", got, calls)
	}
	if es, _ := st.List(); es[0].Delivered != "" {
		t.Errorf("history says it went to %q", es[0].Delivered)
	}
}
