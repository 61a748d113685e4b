package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"

	"hark/app/autostart"
	"hark/assets"
	"hark/dictation"
)

// trayState is the tray icon's menu (UI goroutine; nil menu: no tray).
type trayState struct {
	menu   *fyne.Menu
	record *fyne.MenuItem
	note   string // why there is no tray, for the status line
}

// setupTray puts Hark in the system tray when the settings ask for it and the desktop
// shows tray icons: Start/Stop dictation, Show window, Quit; closing the window then only
// hides it. Without a tray (a setting, or a desktop without one) closing the window quits.
func (u *UI) setupTray(desk desktop.App) {
	u.mu.Lock()
	on, avail := u.settings.Tray, u.deps.TrayAvailable
	u.mu.Unlock()
	if !on {
		return
	}
	if avail != nil {
		if ok, err := avail(); !ok {
			why := "this desktop shows no tray icons"
			if err != nil {
				why = oneLine(err)
			}
			u.mu.Lock()
			u.tray.note = "no tray icon (" + why + ")"
			u.mu.Unlock()
			u.setStatus(u.readyText())
			return
		}
	}
	t := &u.tray
	t.record = fyne.NewMenuItem("Start dictation", u.toggle)
	t.menu = fyne.NewMenu("Hark",
		t.record,
		fyne.NewMenuItem("Show window", func() { u.win.Show(); u.win.RequestFocus() }),
		fyne.NewMenuItemSeparator(),
		&fyne.MenuItem{Label: "Quit", IsQuit: true, Action: u.app.Quit},
	)
	desk.SetSystemTrayMenu(t.menu)
	desk.SetSystemTrayIcon(fyne.NewStaticResource("hark.png", assets.IconPNG()))
	desk.SetSystemTrayWindow(u.win)
}

// inTray reports whether Hark has a tray icon (so closing the window only hides it).
func (u *UI) inTray() bool { return u.tray.menu != nil }

// updateTray shows the dictation state in the tray menu (UI goroutine).
func (u *UI) updateTray(s dictation.State) {
	t := &u.tray
	if t.menu == nil {
		return
	}
	label := "Start dictation"
	if s != dictation.Idle {
		label = "Stop dictation"
	}
	if t.record.Label != label {
		t.record.Label = label
		t.menu.Refresh()
	}
}

// closeWindow is what closing the window does: hide it while the tray icon stays (the
// hotkey and `hark ctl` keep working), or quit without a tray.
func (u *UI) closeWindow() {
	saveWindowSize(u.app.Preferences(), u.win.Canvas().Size())
	if u.inTray() {
		u.win.Hide()
		return
	}
	// Quitting drops the transcript and ends dictation: ask first when there is something to
	// lose (issue 17: it was dropped without asking). The utterances stay in the History.
	if u.transcript.Text == "" && u.ctl.State() == dictation.Idle {
		u.win.Close()
		return
	}
	msg := "The transcript in this window will be gone (its utterances stay in the History)."
	if u.ctl.State() != dictation.Idle {
		msg = "Dictation stops: what you are saying now is kept in the History, not typed anywhere. " + msg
	}
	dialog.ShowConfirm("Quit Hark?", msg, func(quit bool) {
		if quit {
			u.win.Close()
		}
	}, u.win)
}

// applyAutostart writes or removes the login entry (~/.config/autostart/hark.desktop).
func (u *UI) applyAutostart(on bool) error {
	if on == autostart.Enabled() {
		return nil
	}
	if !on {
		return autostart.Disable()
	}
	exe := "hark"
	if u.deps.Executable != nil {
		p, err := u.deps.Executable()
		if err != nil {
			return fmt.Errorf("start on login: cannot find Hark's program file: %w", err)
		}
		exe = p
	}
	return autostart.Enable(exe)
}
