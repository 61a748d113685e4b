package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"hark/internal/ctl"
)

// Under LANG=C.UTF-8 (containers, CI) Fyne used to log "Error parsing user locale C" while
// initialising, before any command ran. The child process below is this test binary started
// with that locale: whatever Fyne prints during initialisation shows up in its output.
func TestNoLocaleErrorUnderCUTF8(t *testing.T) {
	if os.Getenv("HARK_LOCALE_CHILD") == "1" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoLocaleErrorUnderCUTF8$")
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LANG=C.UTF-8", "HARK_LOCALE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "locale") {
		t.Errorf("locale noise under LANG=C.UTF-8:\n%s", out)
	}
}

// TestUnreachableDisplay: DISPLAY naming a display nobody serves gave a 34-line Go panic from
// the windowing library (issue 17); it is one line and exit 1.
func TestUnreachableDisplay(t *testing.T) {
	if os.Getenv("HARK_DISPLAY_CHILD") == "1" {
		os.Args = []string{"hark"}
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestUnreachableDisplay$")
	cmd.Env = append(os.Environ(), "HARK_DISPLAY_CHILD=1", "DISPLAY=:97", "WAYLAND_DISPLAY=")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, output %q", err, out)
	}
	if s := strings.TrimSpace(string(out)); strings.Count(s, "\n") != 0 || !strings.Contains(s, `DISPLAY=":97"`) || strings.Contains(s, "panic") {
		t.Fatalf("output %q, want one line naming the display", out)
	}
}

// TestSecondInstance: a second `hark` window started silently and both typed into the focused
// app, interleaved (issue 17). With a Hark answering on the control socket, `hark gui` asks it
// to come to the front and exits without opening a window; once it is gone, it starts again.
func TestSecondInstance(t *testing.T) {
	if os.Getenv("HARK_SECOND_CHILD") == "1" {
		os.Args = []string{"hark", "gui"}
		main()
		return
	}
	rt := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", rt)
	shown := make(chan bool, 1)
	srv, err := ctl.Listen(ctl.SocketPath(), func(cmd string) (string, error) {
		if cmd == "show" {
			shown <- true
			return "shown", nil
		}
		return "idle", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondInstance$")
	cmd.Env = append(os.Environ(), "HARK_SECOND_CHILD=1", "DISPLAY=:97", "WAYLAND_DISPLAY=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "already running") {
		t.Fatalf("second instance: %v %q", err, out)
	}
	select {
	case <-shown:
	default:
		t.Error("the running Hark was not asked to show its window")
	}
	srv.Close()
	// The first is gone: the next start goes on (here to the display check, which fails).
	cmd = exec.Command(os.Args[0], "-test.run=^TestSecondInstance$")
	cmd.Env = append(os.Environ(), "HARK_SECOND_CHILD=1", "DISPLAY=:97", "WAYLAND_DISPLAY=")
	out, _ = cmd.CombinedOutput()
	if strings.Contains(string(out), "already running") || !strings.Contains(string(out), "cannot open the display") {
		t.Errorf("after the first quit: %q", out)
	}
}
