package hotkey

import (
	"errors"
	"fmt"
	"time"
)

// Kind says whether the combination went down or up.
type Kind int

// Event kinds.
const (
	Pressed Kind = iota
	Released
)

func (k Kind) String() string {
	if k == Released {
		return "released"
	}
	return "pressed"
}

// Event is one press or release of a registered combination. Key repeat while it is held
// is not reported: one Pressed, then one Released.
type Event struct {
	Kind Kind
	At   time.Time
}

// Hotkey is a registered system-wide combination.
type Hotkey interface {
	// Events delivers presses and releases; it is closed by Close or when the connection
	// to the display is lost.
	Events() <-chan Event
	// Close releases the combination.
	Close() error
}

// ErrUnsupported says that this session cannot grab keys for the whole desktop; its message
// says what to do instead.
var ErrUnsupported = errors.New("a system-wide hotkey needs an X11 session; on Wayland bind `hark ctl toggle` to a shortcut in the desktop's keyboard settings")

// Mode is what the hotkey does.
type Mode string

// Modes.
const (
	Toggle Mode = "toggle" // each press starts or stops dictation
	Hold   Mode = "hold"   // dictate while the keys are held (push to talk)
)

// ParseMode reads "toggle" or "hold".
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Toggle, Hold:
		return Mode(s), nil
	}
	return "", fmt.Errorf("hotkey mode %q: want %q or %q", s, Toggle, Hold)
}

// Actions are what a hotkey drives: the dictation controller's methods, or a test's fakes.
type Actions struct {
	Toggle func()
	Start  func() // Hold: the keys went down
	End    func() // Hold: the keys came up (push-to-talk end)
}

// Dispatch runs the actions for the events of h in the given mode until the event channel
// is closed; it returns when that happens. Repeated presses without a release between them
// are ignored.
func Dispatch(h Hotkey, mode Mode, a Actions) {
	down := false
	for e := range h.Events() {
		if (e.Kind == Pressed) == down {
			continue
		}
		down = e.Kind == Pressed
		switch {
		case mode == Hold && e.Kind == Pressed:
			call(a.Start)
		case mode == Hold:
			call(a.End)
		case e.Kind == Pressed:
			call(a.Toggle)
		}
	}
}

func call(f func()) {
	if f != nil {
		f()
	}
}
