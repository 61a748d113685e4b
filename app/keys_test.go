package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"hark/dictation"
)

func TestKeyWait(t *testing.T) {
	run := func(env map[string]string, x11err error) (string, []string) {
		var log []string
		k := keyWait{
			getenv: func(k string) string { return env[k] },
			waitX11: func(_ context.Context, d string, timeout time.Duration) error {
				log = append(log, "x11 "+d+" "+timeout.String())
				return x11err
			},
			sleep: func(d time.Duration) { log = append(log, "sleep "+d.String()) },
		}
		return k.wait(), log
	}
	if how, log := run(map[string]string{"DISPLAY": ":3"}, nil); how != "x11" || strings.Join(log, ";") != "x11 :3 2s" {
		t.Errorf("X11: %s %q", how, log)
	}
	if how, log := run(map[string]string{"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, nil); how != "fixed" || strings.Join(log, ";") != "sleep 300ms" {
		t.Errorf("Wayland: %s %q", how, log)
	}
	if how, log := run(map[string]string{"DISPLAY": ":3"}, errors.New("cannot connect")); how != "fixed" || len(log) != 2 {
		t.Errorf("X11 unreachable: %s %q", how, log)
	}
	if how, log := run(map[string]string{}, nil); how != "" || len(log) != 0 {
		t.Errorf("no display: %s %q", how, log)
	}
}

// TestTypingWaitsForKeys: the text is typed only after the keys were let go.
func TestTypingWaitsForKeys(t *testing.T) {
	target := fakeXdotool(t, "")
	h := newHarness(t, nil)
	u := h.u
	var typedBefore []string
	u.deps.WaitKeys = func() {
		got, _ := target()
		typedBefore = append(typedBefore, got)
	}
	u.settings.Type = true
	h.loaded()
	if where, err := u.delivery.Deliver(dictation.Utterance{N: 1, Text: "Hello.", Append: "Hello."}); err != nil || where != "typed with xdotool" {
		t.Fatalf("%q, %v", where, err)
	}
	if got, _ := target(); len(typedBefore) != 1 || typedBefore[0] != "" || got != "Hello. " {
		t.Fatalf("waited %d times (target then held %q); target %q", len(typedBefore), typedBefore, got)
	}
}
