package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"hark/app/dictation"
)

// xEntryEnv makes the test binary open a real Fyne window with a text entry (under the
// DISPLAY given) and mirror the entry's text into the file it names.
const xEntryEnv = "HARK_XTEST_ENTRY_FILE"

func TestMain(m *testing.M) {
	if out := os.Getenv(xEntryEnv); out != "" {
		a := fyneapp.NewWithID("dev.hark.xtest")
		w := a.NewWindow("hark-xtest")
		e := widget.NewMultiLineEntry()
		e.OnChanged = func(s string) { _ = os.WriteFile(out, []byte(s), 0o644) }
		w.SetContent(e)
		w.Resize(fyne.NewSize(400, 200))
		go func() {
			time.Sleep(300 * time.Millisecond)
			fyne.Do(func() { w.Canvas().Focus(e); _ = os.WriteFile(out+".ready", nil, 0o644) })
		}()
		w.ShowAndRun()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRealXdotoolInsertionUnderXvfb types into a real Fyne entry through the X server's XTest
// extension (xdotool) and reads it back, then undoes it with backspaces.
func TestRealXdotoolInsertionUnderXvfb(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	disp := ""
	var xvfb *exec.Cmd
	for n := 140; n < 160 && xvfb == nil; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		cmd := exec.Command("Xvfb", fmt.Sprintf(":%d", n), "-screen", "0", "800x600x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			t.Skipf("Xvfb: %v", err)
		}
		xvfb, disp = cmd, fmt.Sprintf(":%d", n)
	}
	t.Cleanup(func() { _ = xvfb.Process.Kill(); _ = xvfb.Wait() })
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	wait("Xvfb", func() bool { _, err := os.Stat("/tmp/.X11-unix/X" + disp[1:]); return err == nil })
	t.Setenv("DISPLAY", disp)
	t.Setenv("WAYLAND_DISPLAY", "")

	out := filepath.Join(t.TempDir(), "entry.txt")
	child := exec.Command(os.Args[0], "-test.run=^$")
	home := t.TempDir() // the window's preferences go there, not into the user's
	child.Env = append(os.Environ(), xEntryEnv+"="+out, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home, "XDG_CACHE_HOME="+home)
	var stderr strings.Builder
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	wait("the window", func() bool { _, err := os.Stat(out + ".ready"); return err == nil })
	// No window manager: X focus follows the pointer.
	if b, err := exec.Command("xdotool", "search", "--sync", "--name", "^hark-xtest$", "windowfocus", "--sync", "mousemove", "--window", "%1", "100", "100").CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v: %s", err, b)
	}
	read := func() string { b, _ := os.ReadFile(out); return string(b) }

	typer, err := dictation.FindTyper()
	if err != nil {
		t.Fatal(err)
	}
	const text = "Hark hears all, 42 (tested)."
	start := time.Now()
	if err := typer.Type(text); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	wait("the typed text", func() bool { return read() == text+" " })
	t.Logf("typed %d characters with %s in %v", dictation.Typed(text), typer.Name(), took.Round(time.Millisecond))
	if err := typer.Erase(dictation.Typed(text) - 6); err != nil {
		t.Fatal(err)
	}
	wait("the backspaces", func() bool { return read() == "Hark h" })
	if t.Failed() {
		t.Logf("window stderr: %s", stderr.String())
	}
}
