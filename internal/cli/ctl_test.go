package cli

import (
	"strings"
	"testing"
	"time"
)

func TestCtlNotRunningAndUnknown(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	code, _, errs := run(t, nil, "ctl", "toggle")
	if code != ExitFailed || !strings.Contains(errs, "Hark is not running") {
		t.Errorf("not running: exit %d %q", code, errs)
	}
	code, _, errs = run(t, nil, "ctl", "explode")
	if code != ExitUsage || !strings.Contains(errs, `unknown command "explode"`) {
		t.Errorf("unknown: exit %d %q", code, errs)
	}
}

func TestListenControl(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	done := make(chan string)
	go func() {
		_, out, errs := run(t, nil, "listen", "--input", toneWAVs+"/hark.wav", "--model", tones, "--vad", "energy", "--control", "--raw")
		done <- out + errs
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, out, _ := run(t, nil, "ctl", "status")
		if code == 0 {
			if out != "listening\n" {
				t.Errorf("status %q", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("hark listen --control never answered")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, out, errs := run(t, nil, "ctl", "toggle"); code != 0 || out != "paused\n" {
		t.Errorf("toggle: exit %d %q %q", code, out, errs)
	}
	if code, out, _ := run(t, nil, "ctl", "start"); code != 0 || out != "listening\n" {
		t.Errorf("start: exit %d %q", code, out)
	}
	if code, _, errs := run(t, nil, "ctl", "undo"); code != ExitFailed || !strings.Contains(errs, "cannot take it back") {
		t.Errorf("undo: exit %d %q", code, errs)
	}
	select {
	case out := <-done:
		t.Logf("listen: %q", out)
	case <-time.After(20 * time.Second):
		t.Fatal("listen did not end")
	}
	if code, _, errs := run(t, nil, "ctl", "status"); code != ExitFailed || !strings.Contains(errs, "not running") {
		t.Errorf("after listen ended: exit %d %q", code, errs)
	}
}
