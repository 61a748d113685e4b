package app

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hark/asr/vad/vadtest"
	"hark/dictation"
	"hark/dictation/history"
	"hark/internal/ctl"
)

func TestUndoRestoresClipboardAndHistory(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	u.settings.Copy = true
	u.settings.Continuous = true
	u.ctl.SetContinuous(true)
	h.loaded()
	u.app.Clipboard().SetContent("before")
	h.mics <- newFakeMic(io.EOF, phrase(600), phrase(2500))
	test.Tap(u.record)
	h.pump("two finals, idle", func() bool { return len(u.utts) == 2 && u.ctl.State() == dictation.Idle })
	h.pump("clipboard", func() bool { return u.app.Clipboard().Content() == "High." })
	// The Delivered update (status line) comes after the clipboard is set.
	h.pump("the status saying where the text went", func() bool { return strings.Contains(u.status.Text, "copied to the clipboard") })
	u.undo()
	h.pump("undone", func() bool { return len(u.utts) == 1 && u.app.Clipboard().Content() == "Low." })
	if u.transcript.Text != "Low." {
		t.Errorf("transcript %q after undo", u.transcript.Text)
	}
	if !strings.Contains(u.status.Text, "Removed “High.”") {
		t.Errorf("status %q", u.status.Text)
	}
	u.undo()
	h.pump("undone twice", func() bool { return len(u.utts) == 0 && u.app.Clipboard().Content() == "before" })
	u.undo()
	h.pump("nothing", func() bool { return u.status.Text == "Nothing to undo." })

	st, _ := history.Open(h.hist, -1)
	var es []history.Entry
	h.pump("both recorded as undone", func() bool {
		es, _ = st.List()
		return len(es) == 2 && es[0].Status == history.Undone && es[1].Status == history.Undone
	})
	for i, raw := range []string{"low", "high"} {
		if e := es[i]; e.Status != history.Undone || e.Raw != raw || e.Delivered != "copied to the clipboard" || e.Model != "fake" {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
}

func TestFormattingSettings(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	u.settings.Capitalise, u.settings.FinalStop = false, false
	h.loaded()
	h.mics <- newFakeMic(io.EOF, phrase(600, 2500))
	test.Tap(u.record)
	h.pump("final", func() bool { return len(u.utts) == 1 && u.ctl.State() == dictation.Idle })
	if u.transcript.Text != "low high" {
		t.Errorf("transcript %q", u.transcript.Text)
	}
	u.settings.Capitalise = true
	if got := u.formatText("low comma high", true); got != "Low, high" {
		t.Errorf("no final stop: %q", got)
	}
	u.settings.Commands, u.settings.FinalStop = false, true
	if got := u.formatText("low comma high", true); got != "Low comma high." {
		t.Errorf("no commands: %q", got)
	}
}

func TestPendingUtterancesOfferedAndRedecoded(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	// A crash left an utterance saved but not decoded.
	st, _ := history.Open(h.hist, -1)
	e, err := st.Add(phrase(600), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	u.start()
	h.pump("the offer", func() bool { return len(u.win.Canvas().Overlays().List()) == 1 })
	if !strings.Contains(u.status.Text, "1 undecoded utterance") {
		t.Errorf("status %q", u.status.Text)
	}
	u.win.Canvas().Overlays().Top().Hide()
	u.showHistory()
	if u.histList == nil || u.histList.Length() != 1 {
		t.Fatal("the History window does not list the utterance")
	}
	u.redecode(e.ID)
	h.pump("decoded", func() bool { return strings.Contains(u.status.Text, "Decoded "+e.ID) })
	got, _ := st.Get(e.ID)
	if got.Status != history.Decoded || got.Text != "Low." || got.Raw != "low" {
		t.Errorf("after redecode: %+v", got)
	}
	if u.histEntries[0].Text != "Low." {
		t.Errorf("History window shows %+v", u.histEntries[0])
	}
	if err := st.Remove(e.ID); err != nil {
		t.Fatal(err)
	}
	u.refreshHistory()
	if u.histList.Length() != 0 {
		t.Error("deleted utterance still listed")
	}
	// An utterance with a pause in it is decoded in pieces, and written as one sentence.
	e, err = st.Add(vadtest.Concat(vadtest.White(0.8, 1e-4, 1), vadtest.Tone(0.3, 600, 0.3), vadtest.White(0.45, 1e-4, 2),
		vadtest.Tone(0.3, 2500, 0.3), vadtest.White(1.2, 1e-4, 3)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	u.redecode(e.ID)
	h.pump("decoded", func() bool { return strings.Contains(u.status.Text, "Decoded "+e.ID) })
	if got, _ := st.Get(e.ID); got.Text != "Low high." || got.Raw != "low high" {
		t.Errorf("after redecode: %+v", got)
	}
}

func TestControlSocketDrivesTheWindow(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	h.loaded()
	path := filepath.Join(t.TempDir(), "hark", "ctl.sock")
	srv, err := ctl.Listen(path, u.control)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	send := func(cmd string) string {
		t.Helper()
		type res struct {
			s   string
			err error
		}
		ch := make(chan res, 1)
		go func() { s, err := ctl.Send(path, cmd); ch <- res{s, err} }()
		for {
			select {
			case r := <-ch:
				if r.err != nil {
					return "error: " + r.err.Error()
				}
				return r.s
			case f := <-h.queue:
				f()
			}
		}
	}
	if got := send("status"); got != "idle" {
		t.Errorf("status %q", got)
	}
	h.mics <- newFakeMic(nil, phrase(600))
	if got := send("toggle"); got != "starting" {
		t.Errorf("toggle %q", got)
	}
	h.pump("recording", func() bool { return u.record.Text == "Stop" })
	h.pump("final", func() bool { return finished(u, 1) })
	if got := send("stop"); got != "stopping" && got != "idle" {
		t.Errorf("stop %q", got)
	}
	h.pump("idle", func() bool { return u.ctl.State() == dictation.Idle && u.record.Text == "Record" })
	if got := send("undo"); got != `removed "Low."` {
		t.Errorf("undo %q", got)
	}
	if got := send("undo"); got != "error: nothing to undo" {
		t.Errorf("second undo %q", got)
	}
	if got := send("fly"); !strings.Contains(got, `unknown command "fly"`) {
		t.Errorf("unknown %q", got)
	}
}

func TestPauseButton(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	h.loaded()
	test.Tap(u.pause)
	if !u.ctl.Paused() || u.pause.Text != "Resume" || !strings.Contains(u.status.Text, "Paused") {
		t.Fatalf("after Pause: paused %v, button %q, status %q", u.ctl.Paused(), u.pause.Text, u.status.Text)
	}
	h.mics <- newFakeMic(io.EOF, phrase(600))
	test.Tap(u.record)
	h.pump("idle after the input ended", func() bool {
		return u.ctl.State() == dictation.Idle && u.record.Text == "Record" && !u.record.Disabled()
	})
	if len(u.utts) != 0 {
		t.Errorf("heard %d utterances while paused", len(u.utts))
	}
	test.Tap(u.pause)
	if u.ctl.Paused() || u.pause.Text != "Pause" {
		t.Error("Resume did not resume")
	}
}

// fakeXdotool installs a stand-in xdotool that logs its arguments (or fails with failMsg)
// and returns a function that replays the log into the text the target window would hold.
func fakeXdotool(t *testing.T, failMsg string) (target func() (string, []string)) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\037' \"$a\" >> '" + log + "'; done\nprintf '\\n' >> '" + log + "'\n" +
		"[ \"$1\" = getactivewindow ] && echo 4242\nexit 0\n"
	if failMsg != "" {
		script = "#!/bin/sh\necho '" + failMsg + "' >&2\nexit 1\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "xdotool"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	t.Setenv("DISPLAY", ":99")
	t.Setenv("WAYLAND_DISPLAY", "")
	return func() (string, []string) {
		b, _ := os.ReadFile(log)
		var text []rune
		var calls []string
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			args := strings.Split(strings.TrimSuffix(line, "\x1f"), "\x1f")
			calls = append(calls, strings.Join(args, " "))
			switch {
			case args[0] == "type":
				text = append(text, []rune(args[len(args)-1])...)
			case (args[0] == "key" || args[0] == "windowactivate") && args[len(args)-1] == "BackSpace":
				n, _ := strconv.Atoi(args[slices.Index(args, "--repeat")+1])
				text = text[:max(0, len(text)-n)]
			}
		}
		return string(text), calls
	}
}

func TestTypingUndoAndPasteThroughFakeXdotool(t *testing.T) {
	target := fakeXdotool(t, "")
	h := newHarness(t, nil)
	u := h.u
	u.settings.Type, u.settings.Continuous = true, true
	u.ctl.SetContinuous(true)
	u.delivery.PasteRestore = 10 * time.Millisecond
	h.loaded()
	h.mics <- newFakeMic(io.EOF, phrase(600), phrase(2500))
	test.Tap(u.record)
	h.pump("two finals, idle", func() bool { return len(u.utts) == 2 && u.ctl.State() == dictation.Idle })
	h.pump("the status", func() bool { return strings.Contains(u.status.Text, "typed with xdotool") })
	if got, calls := target(); got != "Low. High. " || !strings.Contains(calls[slices.IndexFunc(calls, func(c string) bool { return strings.HasPrefix(c, "type") })], "--clearmodifiers") {
		t.Errorf("target holds %q (calls %q)", got, calls)
	}
	u.undo()
	h.pump("undone", func() bool { return len(u.utts) == 1 })
	if got, calls := target(); got != "Low. " {
		t.Errorf("after undo the target holds %q (calls %q)", got, calls)
	}
	// issue 17: undo from Hark's own window (this button) erased in Hark's window, the one
	// with the focus. The backspaces go to the window the text was typed into, focused first.
	if _, calls := target(); !strings.HasPrefix(calls[len(calls)-1], "windowactivate --sync 4242 key") {
		t.Errorf("undo's erase call %q does not go to the window typed into (4242)", calls[len(calls)-1])
	}

	// Pasting: Ctrl+V with the text on the clipboard, then the clipboard is put back.
	u.settings.Paste = true
	u.app.Clipboard().SetContent("precious")
	h.mics <- newFakeMic(io.EOF, phrase(2500))
	test.Tap(u.record)
	h.pump("pasted", func() bool { return strings.Contains(u.status.Text, "pasted with xdotool") })
	h.pump("clipboard restored", func() bool { return u.app.Clipboard().Content() == "precious" })
	if _, calls := target(); calls[len(calls)-1] != "key --clearmodifiers ctrl+v" {
		t.Errorf("last call %q", calls[len(calls)-1])
	}
}

func TestTypingFailureIsShownAndFallsBackToClipboard(t *testing.T) {
	fakeXdotool(t, "Error: cannot open display :99")
	h := newHarness(t, nil)
	u := h.u
	u.settings.Type = true
	h.loaded()
	h.mics <- newFakeMic(io.EOF, phrase(600))
	test.Tap(u.record)
	h.pump("the error", func() bool { return strings.Contains(u.status.Text, "cannot open display") })
	if n := len(u.win.Canvas().Overlays().List()); n != 1 {
		t.Errorf("%d dialogs, want the error shown", n)
	}
	h.pump("clipboard", func() bool { return u.app.Clipboard().Content() == "Low." })
	// The outcome is recorded after delivery returns: wait for it.
	st, _ := history.Open(h.hist, -1)
	var es []history.Entry
	for deadline := time.Now().Add(10 * time.Second); ; {
		es, _ = st.List()
		if len(es) == 1 && strings.Contains(es[0].Delivered, "clipboard") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("history %+v", es)
		}
		select {
		case f := <-h.queue:
			f()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestWindowSizeRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	p := a.Preferences()
	if got := windowSize(p); got != fyne.NewSize(880, 560) {
		t.Errorf("first size %v", got)
	}
	saveWindowSize(p, fyne.NewSize(1000, 700))
	saveWindowSize(p, fyne.NewSize(10, 10)) // a minimised window is not remembered
	if got := windowSize(p); got != fyne.NewSize(1000, 700) {
		t.Errorf("remembered %v", got)
	}
}

// TestPiecesInTheWindow: an utterance with a pause in it comes in pieces: the first words
// appear (and are typed) at the pause, the rest joins them on the same line, the full stop
// comes at the end; the History has it once, with all its audio; undo takes it all back.
func TestPiecesInTheWindow(t *testing.T) {
	target := fakeXdotool(t, "")
	h := newHarness(t, nil)
	u := h.u
	u.settings.Type = true
	u.settings.EarlyText = true
	h.loaded()
	x := vadtest.Concat(vadtest.White(0.8, 1e-4, 1), vadtest.Tone(0.3, 600, 0.3), vadtest.White(0.45, 1e-4, 2),
		vadtest.Tone(0.3, 2500, 0.3), vadtest.White(1.2, 1e-4, 3))
	h.mics <- newFakeMic(io.EOF, x)
	test.Tap(u.record)
	h.pump("the first piece", func() bool { return u.transcript.Text == "Low" })
	if len(u.utts) != 1 || !u.utts[0].Open {
		t.Errorf("after the first piece: %+v", u.utts)
	}
	h.pump("the end of the utterance", func() bool { return finished(u, 1) && u.ctl.State() == dictation.Idle })
	if u.transcript.Text != "Low high." || u.utts[0].Text != "Low high." || u.history.Length() != 1 {
		t.Errorf("transcript %q, list %+v", u.transcript.Text, u.utts)
	}
	got, calls := target()
	var types []string
	for _, c := range calls {
		if strings.HasPrefix(c, "type ") {
			types = append(types, c[strings.LastIndex(c, " -- ")+4:])
		}
	}
	if got != "Low high. " || !slices.Equal(types, []string{"Low", " high", ". "}) {
		t.Errorf("target holds %q, typed %q", got, types)
	}
	st, _ := history.Open(h.hist, -1)
	var es []history.Entry
	for deadline := time.Now().Add(10 * time.Second); ; {
		es, _ = st.List()
		if len(es) == 1 && es[0].Text == "Low high." {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("history %+v", es)
		}
		select {
		case f := <-h.queue:
			f()
		case <-time.After(10 * time.Millisecond):
		}
	}
	if es[0].Status != history.Decoded || es[0].Seconds < 0.5+0.3+0.45+0.3+0.3-0.05 {
		t.Errorf("history entry %+v: want the whole utterance decoded", es[0])
	}
	u.undo()
	h.pump("undone", func() bool { return len(u.utts) == 0 })
	if got, _ := target(); got != "" || u.transcript.Text != "" {
		t.Errorf("after undo the target holds %q, the transcript %q", got, u.transcript.Text)
	}
	// The undo is recorded in the history too (and the test must not end while it is being
	// written: the temporary directory's removal raced with it).
	h.pump("undo recorded", func() bool {
		e, err := st.Get(es[0].ID)
		return err == nil && e.Status == history.Undone
	})
}

// issue 17: on Wayland no tool can give the focus back to the window the text was typed
// into, so an undo from Hark's own window (button, Ctrl+Shift+Z, menu) sent its backspaces
// into Hark's window. It now leaves the typed text alone and says so; an undo from outside
// Hark's window (`hark ctl undo` from a hotkey, or by voice) still erases where the focus is.
func TestWaylandUndoFromHarkLeavesTypedText(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s ' \"$a\" >> '" + log + "'; done\nprintf '\\n' >> '" + log + "'\nexit 0\n"
	if err := os.WriteFile(filepath.Join(dir, "wtype"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	t.Setenv("DISPLAY", "")
	calls := func() string { b, _ := os.ReadFile(log); return string(b) }
	h := newHarness(t, nil)
	u := h.u
	u.settings.Type, u.settings.Continuous = true, true
	u.ctl.SetContinuous(true)
	h.loaded()
	h.mics <- newFakeMic(io.EOF, phrase(600), phrase(2500))
	test.Tap(u.record)
	h.pump("two finals, idle", func() bool { return len(u.utts) == 2 && u.ctl.State() == dictation.Idle })
	h.pump("typed", func() bool { return strings.Contains(u.status.Text, "typed with wtype") })
	u.undo()
	h.pump("undone, with a message", func() bool { return len(u.utts) == 1 && strings.Contains(u.status.Text, "Wayland") })
	if c := calls(); strings.Contains(c, "BackSpace") {
		t.Errorf("undo from Hark's window erased on Wayland: %q", c)
	}
	if out, err := u.control("undo"); err != nil || !strings.Contains(out, "removed") {
		t.Fatalf("ctl undo: %q %v", out, err)
	}
	if c := calls(); strings.Count(c, "BackSpace") != len("Low. ") {
		t.Errorf("ctl undo did not erase the first utterance (%d characters): %q", len("Low. "), c)
	}
}
