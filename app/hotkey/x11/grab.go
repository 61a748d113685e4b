package x11

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"hark/app/hotkey"
)

// repeatWindow is how long a release waits for a press with the same timestamp: X's key
// auto-repeat sends such a release/press pair about 30 times a second while keys are held.
const repeatWindow = 40 * time.Millisecond

// Display returns the X display to use: $DISPLAY, or an error (hotkey.ErrUnsupported on a
// Wayland session) when there is none or the session is not X11.
func Display() (string, error) { return DisplayFrom(os.Getenv) }

// DisplayFrom is Display with the environment read through getenv.
func DisplayFrom(getenv func(string) string) (string, error) {
	d := getenv("DISPLAY")
	if getenv("WAYLAND_DISPLAY") != "" || getenv("XDG_SESSION_TYPE") == "wayland" {
		// Xwayland sees keys only while one of its own windows has the focus.
		return "", hotkey.ErrUnsupported
	}
	if d == "" {
		return "", fmt.Errorf("no X display (DISPLAY is not set): %w", hotkey.ErrUnsupported)
	}
	return d, nil
}

// ErrTaken says that another application holds the combination.
var ErrTaken = errors.New("another application already uses this key combination")

// Hotkey is a grabbed combination on one X connection.
type Hotkey struct {
	conn   *xgb.Conn
	root   xproto.Window
	code   xproto.Keycode
	mods   []uint16 // the grabbed modifier variants
	events chan hotkey.Event
	once   sync.Once
	done   chan struct{}
}

// Register grabs c on display (":0"; "" means Display()) for the whole desktop: presses
// arrive whichever window has the focus, with or without CapsLock and NumLock on.
func Register(display string, c hotkey.Combo) (*Hotkey, error) {
	if display == "" {
		d, err := Display()
		if err != nil {
			return nil, err
		}
		display = d
	}
	sym, err := keysym(c.Key)
	if err != nil {
		return nil, fmt.Errorf("hotkey %s: %w", c, err)
	}
	conn, err := connect(display)
	if err != nil {
		return nil, fmt.Errorf("hotkey %s: %w", c, err)
	}
	code, err := keycode(conn, sym)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("hotkey %s: %w", c, err)
	}
	h := &Hotkey{conn: conn, root: xproto.Setup(conn).DefaultScreen(conn).Root, code: code,
		events: make(chan hotkey.Event, 16), done: make(chan struct{})}
	base := xmods(c.Mods)
	// CapsLock (Lock) and NumLock (Mod2) change the state bits of an event: grab every mix.
	for _, extra := range []uint16{0, xproto.ModMaskLock, xproto.ModMask2, xproto.ModMaskLock | xproto.ModMask2} {
		m := base | extra
		err := xproto.GrabKeyChecked(conn, true, h.root, m, code, xproto.GrabModeAsync, xproto.GrabModeAsync).Check()
		if err != nil {
			h.ungrab()
			conn.Close()
			if _, ok := err.(xproto.AccessError); ok {
				return nil, fmt.Errorf("hotkey %s: %w (choose another one in Settings)", c, ErrTaken)
			}
			return nil, fmt.Errorf("hotkey %s: cannot grab it: %v", c, err)
		}
		h.mods = append(h.mods, m)
	}
	go h.read()
	return h, nil
}

// Events delivers the combination's presses and releases (auto-repeat removed).
func (h *Hotkey) Events() <-chan hotkey.Event { return h.events }

// Close releases the grab and the connection; Events is closed.
func (h *Hotkey) Close() error {
	h.once.Do(func() {
		close(h.done)
		h.ungrab()
		// A round trip makes sure the ungrabs reached the server before the connection goes.
		_, _ = xproto.GetInputFocus(h.conn).Reply()
		h.conn.Close()
	})
	return nil
}

func (h *Hotkey) ungrab() {
	for _, m := range h.mods {
		xproto.UngrabKey(h.conn, h.code, h.root, m)
	}
	h.mods = nil
}

// raw is a key event of our keycode as it came from the server.
type raw struct {
	press bool
	time  xproto.Timestamp
}

// read turns the server's events into hotkey events, dropping auto-repeat: a release
// followed at once by a press with the same timestamp means the keys are still held.
func (h *Hotkey) read() {
	in := make(chan raw, 64)
	go func() {
		defer close(in)
		for {
			ev, xerr := h.conn.WaitForEvent()
			if ev == nil && xerr == nil {
				return // connection closed
			}
			switch e := ev.(type) {
			case xproto.KeyPressEvent:
				if e.Detail == h.code && !h.forward(in, raw{true, e.Time}) {
					return
				}
			case xproto.KeyReleaseEvent:
				if e.Detail == h.code && !h.forward(in, raw{false, e.Time}) {
					return
				}
			}
		}
	}()
	defer close(h.events)
	var pending *raw // a release that may be half of an auto-repeat pair
	var timer <-chan time.Time
	emit := func(k hotkey.Kind) bool {
		select {
		case h.events <- hotkey.Event{Kind: k, At: time.Now()}:
			return true
		case <-h.done:
			return false
		}
	}
	for {
		select {
		case <-h.done:
			return
		case <-timer:
			timer = nil
			if pending != nil {
				pending = nil
				if !emit(hotkey.Released) {
					return
				}
			}
		case r, ok := <-in:
			if !ok {
				if pending != nil {
					emit(hotkey.Released)
				}
				return
			}
			switch {
			case !r.press:
				if pending != nil && !emit(hotkey.Released) {
					return
				}
				rc := r
				pending, timer = &rc, time.After(repeatWindow)
			case pending != nil && r.time-pending.time <= 1:
				pending, timer = nil, nil // auto-repeat: still held
			default:
				if pending != nil {
					pending, timer = nil, nil
					if !emit(hotkey.Released) {
						return
					}
				}
				if !emit(hotkey.Pressed) {
					return
				}
			}
		}
	}
}

func (h *Hotkey) forward(in chan<- raw, r raw) bool {
	select {
	case in <- r:
		return true
	case <-h.done:
		return false
	}
}

// xmods maps hotkey modifiers to X modifier masks (Alt is Mod1 and Super Mod4 on every
// common keymap).
func xmods(m hotkey.Mods) uint16 {
	var x uint16
	if m&hotkey.Ctrl != 0 {
		x |= xproto.ModMaskControl
	}
	if m&hotkey.Alt != 0 {
		x |= xproto.ModMask1
	}
	if m&hotkey.Shift != 0 {
		x |= xproto.ModMaskShift
	}
	if m&hotkey.Super != 0 {
		x |= xproto.ModMask4
	}
	return x
}

// keycode finds the key that produces sym in the current keymap.
func keycode(conn *xgb.Conn, sym xproto.Keysym) (xproto.Keycode, error) {
	setup := xproto.Setup(conn)
	first, n := setup.MinKeycode, int(setup.MaxKeycode)-int(setup.MinKeycode)+1
	rep, err := xproto.GetKeyboardMapping(conn, first, byte(n)).Reply()
	if err != nil {
		return 0, fmt.Errorf("cannot read the keyboard map: %w", err)
	}
	per := int(rep.KeysymsPerKeycode)
	for i := 0; i < n && per > 0; i++ {
		for j := 0; j < per && (i*per+j) < len(rep.Keysyms); j++ {
			if rep.Keysyms[i*per+j] == sym {
				return first + xproto.Keycode(i), nil
			}
		}
	}
	return 0, fmt.Errorf("no key on this keyboard produces it")
}
