package x11

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"hark/app/hotkey"
)

// xvfb starts a private X server and returns its display (":N"); the test is skipped when
// Xvfb or xdotool is not installed.
func xvfb(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// -displayfd: the server picks a free display number and writes it to fd 3; -noreset:
	// it does not reset (dropping connections and key state) when its last client leaves.
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-noreset", "-screen", "0", "640x480x24")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Skipf("Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
		r.Close()
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Skip("Xvfb did not start")
		}
		return ":" + n
	case <-time.After(10 * time.Second):
		t.Skip("Xvfb did not start within 10 s")
	}
	return ""
}

func xdotool(t *testing.T, display string, args ...string) {
	t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool %v: %v: %s", args, err, out)
	}
}

// xdotoolStart runs xdotool in the background.
func xdotoolStart(t *testing.T, display string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// next waits for the next event of h.
func next(t *testing.T, h *Hotkey, within time.Duration) (hotkey.Event, bool) {
	t.Helper()
	select {
	case e, ok := <-h.Events():
		return e, ok
	case <-time.After(within):
		return hotkey.Event{}, false
	}
}

func TestHotkeyUnderXvfb(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	d := xvfb(t)
	h, err := Register(d, hotkey.MustParse("Ctrl+Alt+H"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()

	// A tap: one press, one release.
	xdotool(t, d, "key", "--clearmodifiers", "ctrl+alt+h")
	for _, want := range []hotkey.Kind{hotkey.Pressed, hotkey.Released} {
		e, ok := next(t, h, 3*time.Second)
		if !ok || e.Kind != want {
			t.Fatalf("tap: got %v (ok %v), want %v", e.Kind, ok, want)
		}
	}
	// Without the modifiers nothing arrives.
	xdotool(t, d, "key", "h")
	if e, ok := next(t, h, 300*time.Millisecond); ok {
		t.Fatalf("plain h reported as %v", e.Kind)
	}
	// With CapsLock and NumLock on, the combination still works.
	xdotool(t, d, "key", "Caps_Lock", "Num_Lock")
	xdotool(t, d, "key", "ctrl+alt+h")
	for _, want := range []hotkey.Kind{hotkey.Pressed, hotkey.Released} {
		if e, ok := next(t, h, 3*time.Second); !ok || e.Kind != want {
			t.Fatalf("with CapsLock and NumLock: got %v (ok %v), want %v", e.Kind, ok, want)
		}
	}
	xdotool(t, d, "key", "Caps_Lock", "Num_Lock")

	// Held for 1.2 s (longer than the auto-repeat delay), by one xdotool process (the server
	// lets go of a client's keys when it exits): one press, then one release only when the
	// keys come up.
	hold := xdotoolStart(t, d, "keydown", "ctrl+alt+h", "sleep", "1.2", "keyup", "h", "alt", "ctrl")
	if e, ok := next(t, h, 3*time.Second); !ok || e.Kind != hotkey.Pressed {
		t.Fatalf("hold: got %v (ok %v), want pressed", e.Kind, ok)
	}
	held := time.Now()
	e, ok := next(t, h, 5*time.Second)
	if !ok || e.Kind != hotkey.Released {
		t.Fatalf("hold: got %v (ok %v), want released", e.Kind, ok)
	}
	if el := time.Since(held); el < time.Second {
		t.Fatalf("hold: released after %v while the keys were down for 1.2 s (auto-repeat not filtered?)", el)
	}
	if err := hold.Wait(); err != nil {
		t.Fatal(err)
	}
	if e, ok := next(t, h, 300*time.Millisecond); ok {
		t.Fatalf("hold: extra %v", e.Kind)
	}

	// Close ends Events.
	h.Close()
	for range h.Events() {
	}
}

func TestHotkeyTakenByAnotherClient(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	d := xvfb(t)
	other, err := xgb.NewConnDisplay(d)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	sym, _ := keysym("h")
	code, err := keycode(other, sym)
	if err != nil {
		t.Fatal(err)
	}
	root := xproto.Setup(other).DefaultScreen(other).Root
	if err := xproto.GrabKeyChecked(other, true, root, xproto.ModMaskControl|xproto.ModMask1, code,
		xproto.GrabModeAsync, xproto.GrabModeAsync).Check(); err != nil {
		t.Fatal(err)
	}
	_, err = Register(d, hotkey.MustParse("Ctrl+Alt+H"))
	if !errors.Is(err, ErrTaken) || !strings.Contains(err.Error(), "Ctrl+Alt+H") {
		t.Fatalf("got %v, want ErrTaken naming Ctrl+Alt+H", err)
	}
	// Another combination is free.
	h, err := Register(d, hotkey.MustParse("Ctrl+Alt+J"))
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
}

func TestModifiersHeld(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	d := xvfb(t)
	if held, err := ModifiersHeld(d); err != nil || held {
		t.Fatalf("nothing pressed: held %v, err %v", held, err)
	}
	// One xdotool process holds Shift for 0.6 s (the server lets go of a client's keys when
	// it exits).
	shift := xdotoolStart(t, d, "keydown", "shift", "sleep", "0.6", "keyup", "shift")
	start := time.Now()
	for held := false; !held; {
		var err error
		if held, err = ModifiersHeld(d); err != nil {
			t.Fatal(err)
		}
		if time.Since(start) > 3*time.Second {
			t.Fatal("Shift held down by xdotool is not seen")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := WaitModifiersReleased(context.Background(), d, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 400*time.Millisecond || el > 4*time.Second {
		t.Fatalf("waited %v, want about 600 ms", el)
	}
	_ = shift.Wait()
	// CapsLock on is not a held key.
	xdotool(t, d, "key", "Caps_Lock")
	if held, err := ModifiersHeld(d); err != nil || held {
		t.Fatalf("CapsLock on: held %v, err %v", held, err)
	}
}

func TestDisplay(t *testing.T) {
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	t.Setenv("DISPLAY", ":0")
	if _, err := Display(); !errors.Is(err, hotkey.ErrUnsupported) {
		t.Fatalf("Wayland: %v", err)
	}
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("XDG_SESSION_TYPE", "x11")
	t.Setenv("DISPLAY", "")
	if _, err := Register("", hotkey.Default); !errors.Is(err, hotkey.ErrUnsupported) || !strings.Contains(err.Error(), "DISPLAY") {
		t.Fatalf("no display: %v", err)
	}
	t.Setenv("DISPLAY", ":7")
	if d, err := Display(); err != nil || d != ":7" {
		t.Fatalf("X11: %q, %v", d, err)
	}
}
