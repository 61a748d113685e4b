package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runTimeout is run with a deadline: a hang fails the test instead of the suite.
func runTimeout(t *testing.T, env *Env, args ...string) int {
	t.Helper()
	done := make(chan int, 1)
	go func() { done <- Main(args, env) }()
	select {
	case code := <-done:
		return code
	case <-time.After(60 * time.Second):
		t.Fatalf("%v hung", args)
		return 0
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// issue 17: a FIFO as an input, inside an input directory, or as --lm blocked in open(2) and
// ignored Ctrl-C; the whole batch hung. Each is one clear line, the good files still get text.
func TestTranscribeFIFOs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "in", "pipe.wav")
	copyFile(t, filepath.Join(toneWAVs, "hello.wav"), filepath.Join(dir, "in", "a.wav"))
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs:", err)
	}
	for _, args := range [][]string{
		{"transcribe", "--raw", "--model", tones, fifo, filepath.Join(dir, "in", "a.wav")},
		{"transcribe", "--raw", "--model", tones, filepath.Join(dir, "in")},
	} {
		var o, e bytes.Buffer
		code := runTimeout(t, &Env{Stdin: bytes.NewReader(nil), Stdout: &o, Stderr: &e}, args...)
		if code != ExitFailed || !strings.Contains(e.String(), fifo+": ") || !strings.Contains(e.String(), "named pipe") || !strings.Contains(o.String(), "hello") {
			t.Errorf("%v: exit %d, out %q, err %q", args, code, o.String(), e.String())
		}
	}
	lmFIFO := filepath.Join(dir, "lm.bin")
	if err := syscall.Mkfifo(lmFIFO, 0o644); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	code := runTimeout(t, &Env{Stdin: bytes.NewReader(nil), Stdout: &o, Stderr: &e}, "transcribe", "--model", tones, "--lm", lmFIFO, filepath.Join(dir, "in", "a.wav"))
	if code == ExitOK || !strings.Contains(e.String(), lmFIFO) || strings.Count(strings.TrimSpace(e.String()), "\n") != 0 {
		t.Errorf("--lm FIFO: exit %d, err %q", code, e.String())
	}
}

// issue 17: -o DIR with two inputs of the same stem wrote one file and exited 0.
func TestTranscribeSameOutputName(t *testing.T) {
	dir := t.TempDir()
	hello := filepath.Join(toneWAVs, "hello.wav")
	copyFile(t, hello, filepath.Join(dir, "a", "x.wav"))
	copyFile(t, filepath.Join(toneWAVs, "hark.wav"), filepath.Join(dir, "b", "x.wav"))
	out := filepath.Join(dir, "out")
	code, _, errs := run(t, nil, "transcribe", "--raw", "--model", tones, "-o", out, filepath.Join(dir, "a", "x.wav"), filepath.Join(dir, "b", "x.wav"))
	if code != ExitFailed || !strings.Contains(errs, filepath.Join(dir, "b", "x.wav")+": its output") || !strings.Contains(errs, "would overwrite") {
		t.Fatalf("exit %d, err %q", code, errs)
	}
	if b, err := os.ReadFile(filepath.Join(out, "x.txt")); err != nil || !strings.Contains(string(b), "hello") {
		t.Fatalf("the first input's output: %q %v", b, err)
	}
	// Directories of the same layout mirror their relative paths: a/x and b/x collide too.
	code, _, errs = run(t, nil, "transcribe", "--raw", "--model", tones, "-o", filepath.Join(dir, "out2"), filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	if code != ExitFailed || !strings.Contains(errs, "would overwrite") {
		t.Fatalf("two directories: exit %d, err %q", code, errs)
	}
}

// failWriter fails every write, as standard output on /dev/full does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// issue 17: stdout to /dev/full or closed gave exit 0 with the text lost.
func TestStdoutWriteFailure(t *testing.T) {
	var e bytes.Buffer
	code := Main([]string{"transcribe", "--raw", "--model", tones, filepath.Join(toneWAVs, "hello.wav")}, &Env{Stdin: bytes.NewReader(nil), Stdout: failWriter{}, Stderr: &e})
	if code != ExitFailed || !strings.Contains(e.String(), "writing standard output") || !strings.Contains(e.String(), syscall.ENOSPC.Error()) {
		t.Fatalf("exit %d, err %q", code, e.String())
	}
	if f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err == nil {
		defer f.Close()
		e.Reset()
		code = Main([]string{"transcribe", "--raw", "--model", tones, filepath.Join(toneWAVs, "hello.wav")}, &Env{Stdin: bytes.NewReader(nil), Stdout: f, Stderr: &e})
		if code != ExitFailed || !errors.Is(syscall.ENOSPC, syscall.ENOSPC) || !strings.Contains(e.String(), "writing standard output") {
			t.Fatalf("/dev/full: exit %d, err %q", code, e.String())
		}
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version", "-V"} {
		code, out, errs := run(t, nil, arg)
		if code != ExitOK || !strings.HasPrefix(out, "hark ") || !strings.Contains(out, "onnxruntime ") || !strings.Contains(out, "\ncpu ") {
			t.Errorf("%s: exit %d out %q err %q", arg, code, out, errs)
		}
	}
}

// issue 17: file names reached the terminal unescaped, so an ESC/OSC sequence in a name ran in
// the user's terminal. Names in error lines and in txt prefixes are escaped.
func TestFileNamesEscaped(t *testing.T) {
	dir := t.TempDir()
	evil := filepath.Join(dir, "a\x1b]0;pwned\x07\x1b[31m.wav")
	if err := os.WriteFile(evil, []byte("not audio"), 0o644); err != nil {
		t.Skip(err)
	}
	good := filepath.Join(dir, "b\x1b[2J.wav")
	copyFile(t, filepath.Join(toneWAVs, "hello.wav"), good)
	code, out, errs := run(t, nil, "transcribe", "--raw", "--model", tones, evil, good)
	if code != ExitFailed {
		t.Fatalf("exit %d", code)
	}
	for _, s := range []string{out, errs} {
		if strings.ContainsAny(s, "\x1b\x07") {
			t.Errorf("raw control characters reached the terminal: %q", s)
		}
	}
	if !strings.Contains(errs, `a\x1b]0;pwned\x07\x1b[31m.wav`) || !strings.Contains(out, `b\x1b[2J.wav: hello`) {
		t.Errorf("names not shown escaped: out %q err %q", out, errs)
	}
}

// issue 17: a WAV one byte short of its header's length gave no text at all (sox and ffmpeg
// decode it). The audio present is transcribed and the problem reported in one line; the exit
// code still says the input was bad.
func TestTruncatedWAVTranscribed(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(toneWAVs, "hello.wav"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "cut.wav")
	if err := os.WriteFile(p, b[:len(b)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, nil, "transcribe", "--raw", "--model", tones, p)
	if code != ExitFailed || !strings.Contains(out, "hello") || !strings.Contains(errs, p+": WAV data") || !strings.Contains(errs, "transcribed the 2.8 s present") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("exit %d out %q err %q", code, out, errs)
	}
	code, out, _ = run(t, nil, "transcribe", "--raw", "--format", "jsonl", "--model", tones, p)
	if code != ExitFailed || !strings.Contains(out, `"text":"hello world"`) || !strings.Contains(out, `"error":"`+p+": WAV data") {
		t.Errorf("jsonl: exit %d out %q", code, out)
	}
}

// issue 17: with a progress bar on a terminal, error lines were printed into the bar.
func TestErrorsClearProgressBar(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.wav")
	if err := os.WriteFile(bad, []byte("not audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	code := Main([]string{"transcribe", "--model", tones, filepath.Join(toneWAVs, "hello.wav"), bad, filepath.Join(toneWAVs, "hark.wav")},
		&Env{Stdin: bytes.NewReader(nil), Stdout: &o, Stderr: &e, StderrIsTTY: true})
	s := e.String()
	i := strings.Index(s, "hark: "+bad)
	if code != ExitFailed || i < 0 {
		t.Fatalf("exit %d, stderr %q", code, s)
	}
	if i > 0 && s[i-1] != '\r' && s[i-1] != '\n' {
		t.Errorf("the error line starts in the middle of the progress bar: %q", s[max(0, i-40):i+10])
	}
}

// issue 17: in a terminal narrower than the partial, `hark listen` left stale partial lines.
// Partials are cut to the width, newest words kept.
func TestFitWidth(t *testing.T) {
	for _, c := range []struct {
		before, rest string
		width        int
		want         string
	}{
		{"Hello. ", "this is", 80, "Hello. this is"},
		{"", "one two three four five", 10, "…our five"},
		{"Hello there. ", "how are", 12, "…e. how are"},
		{"", "abc", 1, "abc"},
	} {
		b, r := fitWidth(c.before, c.rest, c.width)
		if b+r != c.want || (c.width > 2 && len([]rune(b+r)) > c.width-1) {
			t.Errorf("fitWidth(%q, %q, %d) = %q + %q, want %q", c.before, c.rest, c.width, b, r, c.want)
		}
	}
}

// Found by scripts/hostile.sh: an empty directory as the input exited 0 with no word, and
// "- -" transcribed standard input once (the usage error could never fire).
func TestEmptyDirAndStdinTwice(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := run(t, nil, "transcribe", "--model", tones, dir)
	if code != ExitFailed || !strings.Contains(errs, dir+": no audio files") {
		t.Errorf("empty directory: exit %d %q", code, errs)
	}
	if code, _, errs = run(t, nil, "transcribe", "--model", tones, "-", "-"); code != ExitUsage || !strings.Contains(errs, "more than once") {
		t.Errorf("- -: exit %d %q", code, errs)
	}
}

// Found by scripts/hostile.sh: eval --hyp into a FIFO hung (deaf to SIGTERM), and a failed run
// left an empty hypotheses file.
func TestEvalHypOutput(t *testing.T) {
	dir := t.TempDir()
	man := filepath.Join(dir, "m.tsv")
	hello, _ := filepath.Abs(filepath.Join(toneWAVs, "hello.wav"))
	if err := os.WriteFile(man, []byte(hello+"\thello world\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "hyp.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	var o, e bytes.Buffer
	if code := runTimeout(t, &Env{Stdin: bytes.NewReader(nil), Stdout: &o, Stderr: &e}, "eval", "--model", tones, "--hyp", fifo, man); code != ExitFailed || !strings.Contains(e.String(), "not a regular file") {
		t.Errorf("--hyp FIFO: exit %d %q", code, e.String())
	}
	bad := filepath.Join(dir, "bad.tsv")
	os.WriteFile(bad, []byte(filepath.Join(dir, "missing.wav")+"\tx\n"), 0o644)
	hyp := filepath.Join(dir, "hyp.tsv")
	if code, _, _ := run(t, nil, "eval", "--model", tones, "--hyp", hyp, bad); code != ExitFailed {
		t.Errorf("failing manifest: exit %d", code)
	}
	if _, err := os.Stat(hyp); err == nil {
		t.Error("a failed run left a hypotheses file")
	}
	if code, _, errs := run(t, nil, "eval", "--model", tones, "--hyp", hyp, man); code != ExitOK {
		t.Fatalf("good run: %d %q", code, errs)
	}
	if b, _ := os.ReadFile(hyp); !strings.Contains(string(b), "hello world") {
		t.Errorf("hypotheses: %q", b)
	}
}

// Found by scripts/hostile.sh: a name with a newline was printed twice, once escaped and once
// split by "; ".
func TestNewlineInName(t *testing.T) {
	p := filepath.Join(t.TempDir(), "new\nline.wav")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Skip(err)
	}
	_, _, errs := run(t, nil, "transcribe", "--model", tones, p)
	if strings.Count(errs, "line.wav") != 1 || !strings.Contains(errs, `new\x0aline.wav: not a supported audio file`) {
		t.Errorf("stderr %q", errs)
	}
}
