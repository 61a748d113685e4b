package x11

import (
	"fmt"
	"strconv"

	"github.com/jezek/xgb/xproto"
)

// keysym returns the X keysym for a hotkey.Combo key name.
func keysym(name string) (xproto.Keysym, error) {
	if len(name) == 1 {
		c := name[0]
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			return xproto.Keysym(c), nil // Latin-1 keysyms equal their code points
		}
	}
	if len(name) >= 2 && name[0] == 'F' {
		if n, err := strconv.Atoi(name[1:]); err == nil && n >= 1 && n <= 35 {
			return xproto.Keysym(0xffbe + n - 1), nil
		}
	}
	switch name {
	case "space":
		return 0x20, nil
	case "Pause":
		return 0xff13, nil
	case "Scroll_Lock":
		return 0xff14, nil
	case "Print":
		return 0xff61, nil
	case "Insert":
		return 0xff63, nil
	case "Menu":
		return 0xff67, nil
	}
	return 0, fmt.Errorf("unknown key %q", name)
}
