package app

import (
	"context"
	"os"
	"time"

	"hark/app/hotkey/x11"
)

// Waiting for the keys of a shortcut to be let go before typing.
const (
	// modifierTimeout is the longest typing waits for modifier keys to be released on X11.
	modifierTimeout = 2 * time.Second
	// waylandSettle is the fixed pause before typing on Wayland, where applications cannot
	// read the keyboard state: enough to let go of a desktop shortcut that ran `hark ctl`.
	waylandSettle = 300 * time.Millisecond
)

// keyWait waits, before text is typed or pasted, until no modifier key (Ctrl, Alt, Shift,
// Super) is held, so the text is not turned into shortcuts (the hotkey's Ctrl+Alt still
// down, for example). On X11 it reads the keyboard state (at most modifierTimeout); on
// Wayland it pauses waylandSettle.
type keyWait struct {
	getenv func(string) string
	// waitX11 waits for the keys on an X display.
	waitX11 func(ctx context.Context, display string, timeout time.Duration) error
	sleep   func(time.Duration)
}

func realKeyWait() keyWait {
	return keyWait{getenv: os.Getenv, waitX11: x11.WaitModifiersReleased, sleep: time.Sleep}
}

// wait waits as described above; what it did is returned for tests ("x11", "fixed", "").
func (k keyWait) wait() string {
	if _, err := x11.DisplayFrom(k.getenv); err == nil {
		if k.waitX11(context.Background(), k.getenv("DISPLAY"), modifierTimeout) == nil {
			return "x11"
		}
	}
	if k.getenv("WAYLAND_DISPLAY") != "" || k.getenv("XDG_SESSION_TYPE") == "wayland" || k.getenv("DISPLAY") != "" {
		k.sleep(waylandSettle)
		return "fixed"
	}
	return ""
}
