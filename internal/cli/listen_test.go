package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hark/audio/audiofile"
	"hark/audio/portaudio"
	"hark/audio/wav"
	"hark/dictation"
	"hark/dictation/history"
	"hark/internal/live"
)

func TestListenReplayJSONL(t *testing.T) {
	code, out, errs := run(t, nil, "listen", "--input", toneWAVs+"/hello.wav", "--fast",
		"--model", tones, "--vad", "energy", "--format", "jsonl", "--partials")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got []listenLine
	for _, l := range lines {
		var r listenLine
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		got = append(got, r)
	}
	last := got[len(got)-1]
	if !last.Final || last.Text != "Hello world." || last.Start < 0.2 || last.Start > 0.4 || last.End <= last.Start {
		t.Errorf("final %+v", last)
	}
	if len(got) < 3 || got[0].Final {
		t.Errorf("want partials (final:false) before the final, got %q", lines)
	}
	if !strings.Contains(lines[0], `"final":false`) {
		t.Errorf("partial line %q lacks \"final\":false", lines[0])
	}
}

func TestListenMatchesTranscribe(t *testing.T) {
	// The same words as the batch transcript, formatted the same way (or both raw).
	for _, name := range []string{"hello", "hark", "its"} {
		for _, extra := range [][]string{nil, {"--raw"}} {
			wav := toneWAVs + "/" + name + ".wav"
			args := append([]string{"--model", tones}, extra...)
			_, want, _ := run(t, nil, append(append([]string{"transcribe"}, args...), wav)...)
			code, got, errs := run(t, nil, append([]string{"listen", "--input", wav, "--fast", "--vad", "energy"}, args...)...)
			if code != 0 {
				t.Fatalf("%s %q: exit %d: %s", name, extra, code, errs)
			}
			if got != want || got == "" {
				t.Errorf("%s %q: listen %q, transcribe %q", name, extra, got, want)
			}
		}
	}
	// Without --partials, jsonl has the finals only. With --provisional: the text at the
	// pause after the last word (provisional), then the utterance's end, which adds nothing
	// here (--raw: no full stop); by default (or --provisional 0), one line at the end.
	_, out, _ := run(t, nil, "listen", "--input", toneWAVs+"/hark.wav", "--fast", "--model", tones, "--vad", "energy", "--format", "jsonl", "--raw", "--provisional", "120ms")
	want := `{"text":"hark hears all","start":0.288,"end":3.04,"final":true,"append":"hark hears all","provisional":true}` + "\n" +
		`{"text":"hark hears all","start":0.288,"end":3.04,"final":true,"append":""}` + "\n"
	if out != want {
		t.Errorf("jsonl: got %q, want %q", out, want)
	}
	for _, extra := range [][]string{nil, {"--provisional", "0"}} {
		_, out, _ = run(t, nil, append([]string{"listen", "--input", toneWAVs + "/hark.wav", "--fast", "--model", tones, "--vad", "energy", "--format", "jsonl", "--raw"}, extra...)...)
		if want := `{"text":"hark hears all","start":0.288,"end":3.04,"final":true}` + "\n"; out != want {
			t.Errorf("jsonl %q: got %q, want %q", extra, out, want)
		}
	}
}

func TestListenUsage(t *testing.T) {
	for _, args := range [][]string{
		{"listen", "--format", "srt"},
		{"listen", "--fast"},
		{"listen", "--input", "x.wav", "--device", "pulse"},
		{"listen", "--silence", "20s"},
		{"listen", "--vad", "webrtc"},
		{"listen", "--provisional", "30ms"},
		{"listen", "--provisional", "-1s"},
		{"listen", "extra"},
	} {
		if code, _, errs := run(t, nil, args...); code != ExitUsage || errs == "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
	}
	code, _, errs := run(t, nil, "listen", "--input", "no-such-file.wav", "--model", tones, "--vad", "energy")
	if code != ExitFailed || !strings.Contains(errs, "no-such-file.wav") {
		t.Errorf("missing input: exit %d, %q", code, errs)
	}
}

func TestListenTerminalRewritesPartials(t *testing.T) {
	// The updates as the dictation core sends them: a partial is cleared ("") before the
	// final that replaces it.
	partial := func(p string, u dictation.Utterance) dictation.Update {
		return dictation.Update{Kind: dictation.PartialChanged, Partial: p, Utterance: u}
	}
	final := func(kind dictation.Kind, u dictation.Utterance) dictation.Update {
		return dictation.Update{Kind: kind, Utterance: u}
	}
	var b bytes.Buffer
	o := &listenView{w: &b, tty: true}
	for _, up := range []dictation.Update{
		partial("hel", dictation.Utterance{Append: "hel"}),
		partial("hello", dictation.Utterance{Append: "hello"}),
		partial("", dictation.Utterance{}),
		final(dictation.FinalAdded, dictation.Utterance{Text: "hello world", Append: "hello world"}),
		partial("next", dictation.Utterance{Append: "next"}),
	} {
		o.update(up)
	}
	o.done()
	want := "\r\x1b[K\x1b[2;3mhel\x1b[0m\r\x1b[K\x1b[2;3mhello\x1b[0m\r\x1b[Khello world\n\r\x1b[K\x1b[2;3mnext\x1b[0m\r\x1b[K"
	if b.String() != want {
		t.Errorf("terminal output %q, want %q", b.String(), want)
	}

	// An utterance in pieces: each stays on the line, the partial of the rest after it in
	// grey, the full stop and the newline at the end.
	b.Reset()
	o = &listenView{w: &b, tty: true}
	for _, up := range []dictation.Update{
		partial("Hel", dictation.Utterance{Append: "Hel", Open: true}),
		partial("", dictation.Utterance{}),
		final(dictation.FinalAdded, dictation.Utterance{Text: "Hello", Append: "Hello", Open: true}),
		partial("wor", dictation.Utterance{Text: "Hello", Append: " wor", Open: true}),
		partial("", dictation.Utterance{}),
		final(dictation.FinalExtended, dictation.Utterance{Text: "Hello world", Append: " world", Open: true}),
		final(dictation.FinalExtended, dictation.Utterance{Text: "Hello world.", Append: "."}),
	} {
		o.update(up)
	}
	o.done()
	want = "\r\x1b[K\x1b[2;3mHel\x1b[0m\r\x1b[KHello\r\x1b[KHello\x1b[2;3m wor\x1b[0m\r\x1b[KHello world\r\x1b[KHello world.\n"
	if b.String() != want {
		t.Errorf("terminal output %q, want %q", b.String(), want)
	}
}

// twoPhrases writes hello.wav followed directly by its.wav: a 0.66 s pause, shorter than
// the 0.8 s that end an utterance, so one utterance in two pieces.
func twoPhrases(t *testing.T) string {
	t.Helper()
	a, err := audiofile.Load(toneWAVs+"/hello.wav", 16000)
	if err != nil {
		t.Fatal(err)
	}
	b, err := audiofile.Load(toneWAVs+"/its.wav", 16000)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "two.wav")
	if err := wav.WriteFile(p, append(a, b...), 16000); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestListenPieces(t *testing.T) {
	wav := twoPhrases(t)
	dir := t.TempDir()
	ft := &fakeTyper{}
	old := findListenTyper
	findListenTyper = func() (dictation.Keyboard, error) { return ft, nil }
	defer func() { findListenTyper = old }()
	code, out, errs := run(t, nil, "listen", "--input", wav, "--fast", "--model", tones, "--vad", "energy",
		"--format", "jsonl", "--type", "--history", "--history-dir", dir, "--provisional", "120ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// The words of each phrase at the pause after it, the full stop at the end. (The tone
	// model writes no space at a pause: in one piece, or in batch, it says "worldit's".)
	want := `{"text":"Hello world","start":0.288,"end":2.432,"final":true,"append":"Hello world","provisional":true}` + "\n" +
		`{"text":"Hello world it's a test","start":0.288,"end":5.248,"final":true,"append":" it's a test","provisional":true}` + "\n" +
		`{"text":"Hello world it's a test.","start":0.288,"end":5.248,"final":true,"append":"."}` + "\n"
	if out != want {
		t.Errorf("jsonl:\n%s\nwant:\n%s", out, want)
	}
	if got := strings.Join(ft.typed, "|"); got != "Hello world| it's a test|. " {
		t.Errorf("typed %q", ft.typed)
	}
	// One history entry: the whole utterance's audio and text.
	st, _ := history.Open(dir, -1)
	es, err := st.List()
	if err != nil || len(es) != 1 {
		t.Fatalf("history %+v %v", es, err)
	}
	if e := es[0]; e.Status != history.Decoded || e.Raw != "hello world it's a test" || e.Text != "Hello world it's a test." || e.Seconds < 5.2 {
		t.Errorf("entry %+v", e)
	}
	// Text output: the same line, written as it comes.
	if _, out, _ := run(t, nil, "listen", "--input", wav, "--fast", "--model", tones, "--vad", "energy", "--provisional", "120ms"); out != "Hello world it's a test.\n" {
		t.Errorf("txt: %q", out)
	}
}

func TestDevicesCommand(t *testing.T) {
	// Works with or without sound hardware: a list, or a clear message.
	code, out, errs := run(t, nil, "devices", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var devs []map[string]any
	if err := json.Unmarshal([]byte(out), &devs); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if code, _, _ := run(t, nil, "devices", "--format", "xml"); code != ExitUsage {
		t.Errorf("bad format: exit %d", code)
	}
}

// lostAtEnd replays a file, then reports the device lost instead of the end of the input.
type lostAtEnd struct{ live.Source }

func (l lostAtEnd) Read(p []float32) (int, error) {
	n, err := l.Source.Read(p)
	if errors.Is(err, io.EOF) {
		err = portaudio.ErrDeviceLost
	}
	return n, err
}

// fakeListenSeams replaces how listen opens and lists devices for the rest of the test.
func fakeListenSeams(t *testing.T, open func(live.Input) (live.Source, error), list func() ([]string, error)) {
	oo, ol, oe := listenOpen, listenDevices, listenReplugEvery
	listenOpen, listenDevices, listenReplugEvery = open, list, 10*time.Millisecond
	t.Cleanup(func() { listenOpen, listenDevices, listenReplugEvery = oo, ol, oe })
}

func TestListenDeviceComesBack(t *testing.T) {
	wav := toneWAVs + "/hello.wav"
	var opens, polls atomic.Int32
	fakeListenSeams(t, func(in live.Input) (live.Source, error) {
		if in.Device != "USB Mic" {
			t.Errorf("opened %+v, want the same device", in)
		}
		switch opens.Add(1) {
		case 1: // the microphone, unplugged after one utterance
			src, err := live.Open(live.Input{File: wav, Fast: true})
			return lostAtEnd{src}, err
		case 2: // listed again but not ready yet
			return nil, errors.New("device busy")
		default: // back: one more utterance, then the end
			return live.Open(live.Input{File: wav, Fast: true})
		}
	}, func() ([]string, error) {
		if polls.Add(1) < 3 {
			return []string{"Built-in"}, nil
		}
		return []string{"Built-in", "USB Mic"}, nil
	})
	code, out, errs := run(t, nil, "listen", "--device", "USB Mic", "--history=false", "--model", tones, "--vad", "energy")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != "Hello world.\nHello world.\n" {
		t.Errorf("output %q", out)
	}
	if polls.Load() < 3 || opens.Load() != 3 {
		t.Errorf("%d polls, %d opens", polls.Load(), opens.Load())
	}
	want := "hark listen: the input device \"USB Mic\" stopped (unplugged?); waiting for it to come back…\n" +
		"hark listen: the input device \"USB Mic\" is back: listening again.\n"
	if errs != want {
		t.Errorf("stderr %q, want %q", errs, want)
	}
}

func TestListenDeviceLostThenStopped(t *testing.T) {
	// Ctrl-C while waiting for the device ends listen normally, with the text kept.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fakeListenSeams(t, func(live.Input) (live.Source, error) {
		src, err := live.Open(live.Input{File: toneWAVs + "/hello.wav", Fast: true})
		return lostAtEnd{src}, err
	}, func() ([]string, error) {
		cancel()
		return nil, nil
	})
	var o, e bytes.Buffer
	code := runListen(ctx, &Env{Stdout: &o, Stderr: &e}, []string{"--history=false", "--model", tones, "--vad", "energy"})
	if code != 0 || o.String() != "Hello world.\n" || !strings.Contains(e.String(), "the default input device stopped") {
		t.Errorf("exit %d, out %q, err %q", code, o.String(), e.String())
	}
}

type fakeTyper struct{ typed []string }

func (f *fakeTyper) Insert(text string) error  { f.typed = append(f.typed, text); return nil }
func (f *fakeTyper) Name() string              { return "fake" }
func (f *fakeTyper) Paste() error              { return errors.New("fakeTyper cannot paste") }
func (f *fakeTyper) ActiveWindow() string      { return "" }
func (f *fakeTyper) EraseIn(string, int) error { return errors.New("fakeTyper cannot erase") }
func (f *fakeTyper) CanRefocus() bool          { return false }

func TestListenTypes(t *testing.T) {
	ft := &fakeTyper{}
	old := findListenTyper
	findListenTyper = func() (dictation.Keyboard, error) { return ft, nil }
	defer func() { findListenTyper = old }()
	code, out, errs := run(t, nil, "listen", "--input", toneWAVs+"/hello.wav", "--fast", "--model", tones, "--vad", "energy", "--type", "--provisional", "120ms")
	if code != 0 || out != "Hello world.\n" {
		t.Fatalf("exit %d, out %q: %s", code, out, errs)
	}
	// The words at the pause after them, then the full stop and the space.
	if strings.Join(ft.typed, "|") != "Hello world|. " {
		t.Errorf("typed %q", ft.typed)
	}
	ft.typed = nil
	if code, _, errs := run(t, nil, "listen", "--input", toneWAVs+"/hello.wav", "--fast", "--model", tones, "--vad", "energy", "--type", "--provisional", "0"); code != 0 || len(ft.typed) != 1 || ft.typed[0] != "Hello world. " {
		t.Errorf("--provisional 0: exit %d, typed %q: %s", code, ft.typed, errs)
	}
	findListenTyper = func() (dictation.Keyboard, error) { return nil, dictation.ErrNoTyper }
	if code, _, errs := run(t, nil, "listen", "--input", toneWAVs+"/hello.wav", "--fast", "--model", tones, "--vad", "energy", "--type"); code != ExitFailed || !strings.Contains(errs, "xdotool") {
		t.Errorf("no typer: exit %d, %q", code, errs)
	}
}

// issue 18: `hark listen` takes the decoding flags of `hark transcribe` (one decoding
// configuration): the same LM and hotword settings give the same words.
func TestListenTakesDecodeFlags(t *testing.T) {
	hot := filepath.Join(t.TempDir(), "hot.txt")
	if err := os.WriteFile(hot, []byte("hears:4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wav := toneWAVs + "/hark.wav"
	for _, extra := range [][]string{{"--lm", "none"}, {"--hotwords", hot}, {"--lm-weight", "0.9", "--word-bonus", "2"}} {
		args := append([]string{"--model", tones}, extra...)
		_, want, _ := run(t, nil, append(append([]string{"transcribe"}, args...), wav)...)
		code, got, errs := run(t, nil, append([]string{"listen", "--input", wav, "--fast", "--vad", "energy"}, args...)...)
		if code != 0 || got != want || got == "" {
			t.Errorf("%q: listen exit %d %q (%s), transcribe %q", extra, code, got, errs, want)
		}
	}
	if code, _, errs := run(t, nil, "listen", "--input", wav, "--fast", "--model", tones, "--lm-weight", "-1"); code != ExitUsage || !strings.Contains(errs, "--lm-weight") {
		t.Errorf("bad --lm-weight: exit %d %q", code, errs)
	}
	if code, _, errs := run(t, nil, "listen", "--input", wav, "--fast", "--model", tones, "--hotwords", "no-such.txt"); code != ExitFailed || !strings.Contains(errs, "no-such.txt") {
		t.Errorf("missing hotwords: exit %d %q", code, errs)
	}
}
