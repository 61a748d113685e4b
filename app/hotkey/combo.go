package hotkey

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Mods is a set of modifier keys.
type Mods uint8

// Modifier keys.
const (
	Ctrl Mods = 1 << iota
	Alt
	Shift
	Super
)

// Combo is a key combination such as Ctrl+Alt+H: modifiers and one key, named as in
// X11 keysyms ("h", "F9", "space", "Pause").
type Combo struct {
	Mods Mods
	Key  string
}

// Default is the combination Hark proposes: rarely bound by desktops or applications.
var Default = Combo{Mods: Ctrl | Alt, Key: "h"}

var modNames = []struct {
	m     Mods
	names []string
}{
	{Ctrl, []string{"ctrl", "control"}},
	{Alt, []string{"alt", "mod1"}},
	{Shift, []string{"shift"}},
	{Super, []string{"super", "win", "meta", "mod4"}},
}

// Parse reads a combination written like "Ctrl+Alt+H", "super+F9" or "Ctrl+Shift+space"
// (case-insensitive; "-" also separates). It needs exactly one non-modifier key, a known one.
func Parse(s string) (Combo, error) {
	var c Combo
	parts := strings.FieldsFunc(strings.TrimSpace(s), func(r rune) bool { return r == '+' || r == '-' })
	if len(parts) == 0 {
		return c, fmt.Errorf("hotkey %q: empty", s)
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		lp := strings.ToLower(p)
		found := false
		for _, mn := range modNames {
			if slices.Contains(mn.names, lp) {
				c.Mods |= mn.m
				found = true
			}
		}
		if found {
			continue
		}
		if c.Key != "" {
			return Combo{}, fmt.Errorf("hotkey %q: two keys (%s and %s); use one key with modifiers", s, c.Key, p)
		}
		k, ok := canonicalKey(p)
		if !ok {
			return Combo{}, fmt.Errorf("hotkey %q: unknown key %q (use a letter, digit, F1–F24, space, Pause, Insert, Menu, Scroll_Lock or Print)", s, p)
		}
		c.Key = k
	}
	if c.Key == "" {
		return Combo{}, fmt.Errorf("hotkey %q: only modifiers; add a key such as H", s)
	}
	if c.Mods == 0 && !strings.HasPrefix(c.Key, "F") && c.Key != "Pause" && c.Key != "Scroll_Lock" && c.Key != "Menu" && c.Key != "Insert" && c.Key != "Print" {
		return Combo{}, fmt.Errorf("hotkey %q: a letter, digit or space needs a modifier (Ctrl, Alt, Shift or Super), or it could not be typed any more", s)
	}
	return c, nil
}

// MustParse is Parse for constants; it panics on an error.
func MustParse(s string) Combo {
	c, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return c
}

// String writes the combination the way Parse reads it: "Ctrl+Alt+H".
func (c Combo) String() string {
	var b strings.Builder
	for _, mn := range []struct {
		m Mods
		n string
	}{{Ctrl, "Ctrl"}, {Alt, "Alt"}, {Shift, "Shift"}, {Super, "Super"}} {
		if c.Mods&mn.m != 0 {
			b.WriteString(mn.n + "+")
		}
	}
	k := c.Key
	if len(k) == 1 {
		k = strings.ToUpper(k)
	}
	if k == "space" {
		k = "Space"
	}
	b.WriteString(k)
	return b.String()
}

// namedKeys are the keys other than letters, digits and F1–F24, by canonical keysym name.
var namedKeys = []string{"space", "Pause", "Insert", "Menu", "Scroll_Lock", "Print"}

// canonicalKey returns the keysym name for a key as people write it.
func canonicalKey(p string) (string, bool) {
	if len([]rune(p)) == 1 {
		r := unicode.ToLower([]rune(p)[0])
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return string(r), true
		}
		return "", false
	}
	lp := strings.ToLower(p)
	if lp[0] == 'f' {
		var n int
		if _, err := fmt.Sscanf(lp, "f%d", &n); err == nil && n >= 1 && n <= 24 && fmt.Sprintf("f%d", n) == lp {
			return fmt.Sprintf("F%d", n), true
		}
	}
	for _, k := range namedKeys {
		if strings.EqualFold(strings.ReplaceAll(k, "_", ""), strings.ReplaceAll(lp, "_", "")) {
			return k, true
		}
	}
	if lp == "scrolllock" || lp == "scroll" {
		return "Scroll_Lock", true
	}
	return "", false
}
