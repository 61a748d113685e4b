package x11

import (
	"context"
	"fmt"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// ModifiersHeld reports whether any modifier key (Shift, Ctrl, Alt, Super, …) is down on
// display right now, by reading the whole keyboard state (QueryKeymap).
func ModifiersHeld(display string) (bool, error) {
	conn, err := connect(display)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	codes, err := modifierKeycodes(conn)
	if err != nil {
		return false, err
	}
	return modifiersHeld(conn, codes)
}

// WaitModifiersReleased waits until no modifier key is held on display (checking every
// 10 ms), so that typed text is not turned into shortcuts by a hotkey still held. It gives
// up after timeout (returning nil: typing then goes ahead) or when ctx ends.
func WaitModifiersReleased(ctx context.Context, display string, timeout time.Duration) error {
	conn, err := connect(display)
	if err != nil {
		return err
	}
	defer conn.Close()
	codes, err := modifierKeycodes(conn)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		held, err := modifiersHeld(conn, codes)
		if err != nil || !held || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func modifierKeycodes(conn *xgb.Conn) ([]xproto.Keycode, error) {
	rep, err := xproto.GetModifierMapping(conn).Reply()
	if err != nil {
		return nil, fmt.Errorf("cannot read the modifier map: %w", err)
	}
	var codes []xproto.Keycode
	for i, k := range rep.Keycodes {
		// The eight rows are Shift, Lock, Control, Mod1…Mod5; Lock (CapsLock) and Mod2
		// (NumLock) are toggles, not keys held.
		row := i / max(1, int(rep.KeycodesPerModifier))
		if k != 0 && row != 1 && row != 4 {
			codes = append(codes, k)
		}
	}
	return codes, nil
}

func modifiersHeld(conn *xgb.Conn, codes []xproto.Keycode) (bool, error) {
	km, err := xproto.QueryKeymap(conn).Reply()
	if err != nil {
		return false, fmt.Errorf("cannot read the keyboard state: %w", err)
	}
	for _, k := range codes {
		if int(k)/8 < len(km.Keys) && km.Keys[k/8]&(1<<(k%8)) != 0 {
			return true, nil
		}
	}
	return false, nil
}
