package hotkey

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Ctrl+Alt+H", "Ctrl+Alt+H"},
		{"alt+ctrl+h", "Ctrl+Alt+H"},
		{"super-shift-F9", "Shift+Super+F9"},
		{"Control+Space", "Ctrl+Space"},
		{"Pause", "Pause"},
		{"f12", "F12"},
		{"Ctrl+Alt+scroll_lock", "Ctrl+Alt+Scroll_Lock"},
		{"Meta+1", "Super+1"},
	} {
		c, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if c.String() != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, c, tc.want)
		}
		if back, err := Parse(c.String()); err != nil || back != c {
			t.Errorf("round trip of %s: %v, %v", c, back, err)
		}
	}
	for in, msg := range map[string]string{
		"":            "empty",
		"Ctrl+Alt":    "only modifiers",
		"h":           "needs a modifier",
		"Ctrl+H+J":    "two keys",
		"Ctrl+Bogus":  "unknown key",
		"Ctrl+F99":    "unknown key",
		"Ctrl+Alt+ä":  "unknown key",
		"Shift+space": "", // allowed: Shift is a modifier
	} {
		_, err := Parse(in)
		switch {
		case msg == "" && err != nil:
			t.Errorf("Parse(%q): %v", in, err)
		case msg != "" && (err == nil || !strings.Contains(err.Error(), msg)):
			t.Errorf("Parse(%q) error %v, want one saying %q", in, err, msg)
		}
	}
	if Default.String() != "Ctrl+Alt+H" {
		t.Errorf("Default is %s", Default)
	}
}

type fakeHotkey chan Event

func (f fakeHotkey) Events() <-chan Event { return f }
func (f fakeHotkey) Close() error         { return nil }

func TestDispatch(t *testing.T) {
	run := func(mode Mode, kinds ...Kind) string {
		h := make(fakeHotkey, len(kinds))
		for _, k := range kinds {
			h <- Event{Kind: k}
		}
		close(h)
		var log []string
		Dispatch(h, mode, Actions{
			Toggle: func() { log = append(log, "toggle") },
			Start:  func() { log = append(log, "start") },
			End:    func() { log = append(log, "end") },
		})
		return strings.Join(log, " ")
	}
	if got := run(Toggle, Pressed, Released, Pressed, Pressed, Released); got != "toggle toggle" {
		t.Errorf("toggle: %q", got)
	}
	if got := run(Hold, Released, Pressed, Pressed, Released, Released, Pressed, Released); got != "start end start end" {
		t.Errorf("hold: %q", got)
	}
	if _, err := ParseMode("hold"); err != nil {
		t.Error(err)
	}
	if _, err := ParseMode("tap"); err == nil {
		t.Error("ParseMode(tap) succeeded")
	}
}
