package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hark/asr"
	"hark/asr/stream"
	"hark/asr/vad"
	"hark/audio"
	"hark/audio/audiofile"
	"hark/dictation"
	"hark/dictation/history"
	"hark/internal/live"
)

// childEnv makes the test binary run `hark` with the arguments in it instead of the tests.
const childEnv = "HARK_CLI_TEST_CHILD"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		os.Exit(Main(strings.Split(args, "\x1f"), &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}

func TestCrashMidUtteranceKeepsAudio(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", dir)
	args := []string{"listen", "--input", toneWAVs + "/hello.wav", "--fast", "--model", tones, "--vad", "energy", "--history"}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"), hangEnv+"=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	// The child hangs once the utterance is decoded, before its outcome is recorded: kill it
	// once all its audio is saved (it is saved as it is heard, so wait for the whole 2.8 s).
	utts := filepath.Join(dir, "hark", "utterances")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if es := savedEntries(t, utts); len(es) == 1 && es[0].Seconds >= 2.8 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child saved no utterance")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	// "Restart": the history shows the utterance as pending, and redecoding it gives the text.
	code, out, errs := run(t, nil, "history", "list", "--format", "json")
	var es []history.Entry
	if err := json.Unmarshal([]byte(out), &es); code != 0 || err != nil {
		t.Fatalf("list: exit %d, %v: %s %s", code, err, out, errs)
	}
	if len(es) != 1 || es[0].Status != history.Pending || es[0].Seconds < 1 {
		t.Fatalf("after the crash: %+v", es)
	}
	_, _, errs = run(t, nil, "history")
	if !strings.Contains(errs, "redecode pending") {
		t.Errorf("list does not offer to decode the pending utterance: %q", errs)
	}
	code, out, errs = run(t, nil, "history", "redecode", "pending", "--model", tones)
	if code != 0 || !strings.Contains(out, "Hello world.") {
		t.Fatalf("redecode: exit %d: %q %s", code, out, errs)
	}
	st, _ := history.Open(utts, -1)
	e, err := st.Get(es[0].ID)
	if err != nil || e.Status != history.Decoded || e.Raw != "hello world" || e.Text != "Hello world." {
		t.Errorf("after redecode: %+v %v", e, err)
	}
	if code, _, errs = run(t, nil, "history", "rm", e.ID); code != 0 {
		t.Fatalf("rm: %s", errs)
	}
	if code, _, errs = run(t, nil, "history", "rm", e.ID); code == 0 || !strings.Contains(errs, "no such utterance") {
		t.Errorf("second rm: exit %d %q", code, errs)
	}
}

func TestListenRecordsHistory(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := run(t, nil, "listen", "--input", toneWAVs+"/hark.wav", "--fast", "--model", tones,
		"--vad", "energy", "--history", "--history-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	st, _ := history.Open(dir, -1)
	es, err := st.List()
	if err != nil || len(es) != 1 {
		t.Fatalf("history %+v %v", es, err)
	}
	if e := es[0]; e.Status != history.Decoded || e.Raw != "hark hears all" || e.Text != "Hark hears all." || e.Delivered == "" {
		t.Errorf("entry %+v", e)
	}
	x, err := st.Audio(es[0].ID)
	if err != nil || len(x) < 16000*2 {
		t.Errorf("audio: %d samples, %v", len(x), err)
	}
	if code, _, errs := run(t, nil, "history", "frob", "--dir", dir); code != ExitUsage || !strings.Contains(errs, "unknown subcommand") {
		t.Errorf("unknown subcommand: exit %d %q", code, errs)
	}
}

// savedEntries reads the history's sidecars directly (a child may be writing them).
func savedEntries(t *testing.T, dir string) []history.Entry {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var es []history.Entry
	for _, p := range m {
		b, err := os.ReadFile(p)
		var e history.Entry
		if err == nil && json.Unmarshal(b, &e) == nil {
			es = append(es, e)
		}
	}
	return es
}

// issue 17: live audio was written only when an utterance ended, so SIGKILL in the middle of
// one (after 8 partials) left nothing. It is saved as it is heard: killed mid-utterance, the
// history holds what was heard so far, pending, and it decodes.
func TestKilledMidUtteranceKeepsWhatWasHeard(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", dir)
	// In real time: the 2.8 s utterance ends with the input, 2.8 s after the start.
	args := []string{"listen", "--input", toneWAVs + "/hello.wav", "--model", tones, "--vad", "energy", "--history"}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"))
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	utts := filepath.Join(dir, "hark", "utterances")
	for len(savedEntries(t, utts)) == 0 {
		if time.Since(start) > 20*time.Second {
			t.Fatal("nothing saved")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killedAt := time.Since(start)
	es := savedEntries(t, utts)
	if len(es) != 1 || es[0].Status != history.Pending || es[0].Seconds < 0.9 || es[0].Seconds >= 2.8 {
		t.Fatalf("killed %v after the start: %+v", killedAt, es)
	}
	st, _ := history.Open(utts, -1)
	if x, err := st.Audio(es[0].ID); err != nil || float64(len(x))/history.Rate != es[0].Seconds {
		t.Errorf("audio: %d samples, %v; the entry says %.2f s", len(x), err, es[0].Seconds)
	}
	if code, out, errs := run(t, nil, "history", "redecode", "pending", "--model", tones); code != 0 || !strings.Contains(out, es[0].ID) {
		t.Errorf("redecode: exit %d %q %s", code, out, errs)
	}
}

// issue 17: one corrupt sidecar stopped `history redecode pending` before anything was
// decoded. It is reported (one line naming the file) and skipped; the rest are decoded.
func TestRedecodeSkipsCorruptRecord(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", dir)
	utts := filepath.Join(dir, "hark", "utterances")
	st, err := history.Open(utts, -1)
	if err != nil {
		t.Fatal(err)
	}
	x, err := audiofile.Load(filepath.Join(toneWAVs, "hello.wav"), history.Rate)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bad, _ := st.Add(x, t0)
	good, _ := st.Add(x, t0.Add(time.Second))
	corrupt := filepath.Join(utts, bad.ID+".json")
	if err := os.WriteFile(corrupt, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, nil, "history", "redecode", "pending", "--model", tones)
	if code != ExitFailed || !strings.Contains(out, good.ID+"  Hello world.") || !strings.Contains(errs, corrupt) {
		t.Fatalf("exit %d out %q err %q", code, out, errs)
	}
	if e, err := st.Get(good.ID); err != nil || e.Status != history.Decoded {
		t.Errorf("the good one: %+v %v", e, err)
	}
}

// issue 17: a history that cannot be written was reported only when `hark listen` exited; the
// failure is reported when it happens.
func TestListenHistoryReportsAtOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "utts")
	st, err := history.Open(dir, -1)
	if err != nil {
		t.Fatal(err)
	}
	// The directory goes away under Hark (a removed or unmounted disk).
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	// `hark listen`'s pipeline (the dictation core, its history keeper and the listen view)
	// on that store: the failure is printed when the audio cannot be saved, before the
	// utterance's text.
	k := &dictation.Keeper{Store: func() *history.Store { return st }}
	var order []string
	v := &listenView{w: writerFunc(func(p []byte) { order = append(order, "text: "+string(p)) }),
		warn: func(err error) { order = append(order, "warn: "+err.Error()) }}
	src, err := live.Open(live.Input{File: toneWAVs + "/hello.wav", Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	c := dictation.New(func() (audio.Source, error) { return src, nil }, func() (*stream.Streamer, error) {
		return stream.New(sayHello{}, vad.NewEnergy(vad.EnergyConfig{}), stream.Config{ProvisionalSilence: -1}), nil
	}, dictation.Config{Continuous: true, Keep: k.Keep, Record: k.Record}, v.update)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if len(order) != 2 || !strings.HasPrefix(order[0], "warn: ") || !strings.Contains(order[0], dir) || order[1] != "text: hello\n" || len(v.histErrs) != 1 {
		t.Fatalf("printed %q, history errors %v", order, v.histErrs)
	}
}

type writerFunc func(p []byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// sayHello hears "hello" in anything.
type sayHello struct{}

func (sayHello) Recognize(context.Context, []float32) (asr.Result, error) {
	return asr.Result{Text: "hello"}, nil
}

// issue 17: a sidecar is data from disk: an unknown status is refused with the file named,
// and control characters in a text do not reach the terminal as escape sequences.
func TestHistoryListIsSafe(t *testing.T) {
	dir := t.TempDir()
	st, err := history.Open(dir, -1)
	if err != nil {
		t.Fatal(err)
	}
	e, err := st.Add(make([]float32, 1600), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	e.Status, e.Text = history.Decoded, "hi\x1b]0;owned\x07\x1b[2J"
	if err := st.Update(e); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, nil, "history", "list", "--dir", dir)
	if code != 0 || strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x07) || !strings.Contains(out, "hi") {
		t.Errorf("exit %d, out %q %s", code, out, errs)
	}
	bad := filepath.Join(dir, e.ID+".json")
	if err := os.WriteFile(bad, []byte(`{"status":"exploded"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, nil, "history", "list", "--dir", dir); code != ExitFailed || !strings.Contains(errs, bad) || !strings.Contains(errs, "unknown status") {
		t.Errorf("unknown status: exit %d %q", code, errs)
	}
}
