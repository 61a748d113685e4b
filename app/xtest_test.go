package app

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"hark/dictation"
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

// startXvfb starts a private X server on a free display (Xvfb picks it: -displayfd) and
// returns the display; it is stopped with SIGTERM, so it removes its socket and lock file.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-noreset", "-screen", "0", "800x600x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Skipf("Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Skip("Xvfb did not start")
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Skip("Xvfb did not start within 20 s")
	}
	return ""
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
	disp := startXvfb(t)
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
