package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const importFixtures = "../../testdata/models/import"

// isolate points the model store at a temporary directory.
func isolate(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(d, "data"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(d, "config"))
	return filepath.Join(d, "data", "hark", "models")
}

func TestModelsLifecycle(t *testing.T) {
	dir := isolate(t)
	code, out, errs := run(t, nil, "models", "list")
	if code != 0 || !strings.Contains(out, "*  default") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	code, out, errs = run(t, nil, "models", "import", filepath.Join(importFixtures, "sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2"), "--name", "conf")
	if code != 0 || !strings.Contains(out, "installed conf") || !strings.Contains(out, "29 tokens") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	code, _, errs = run(t, nil, "models", "import", filepath.Join(importFixtures, "sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2"), "--name", "conf")
	if code != ExitFailed || !strings.Contains(errs, "--force") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("re-import: %d %q", code, errs)
	}
	if code, _, errs = run(t, nil, "models", "import", "--force", "--name", "conf", filepath.Join(importFixtures, "sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2")); code != 0 {
		t.Fatalf("forced: %q", errs)
	}
	// --model NAME works in transcribe.
	code, out, errs = run(t, nil, "transcribe", "--raw", "--model", "conf", filepath.Join(toneWAVs, "hello.wav"))
	if code != 0 || strings.TrimSpace(out) != "hello world" {
		t.Fatalf("transcribe --model conf: %d %q %q", code, out, errs)
	}
	if code, out, _ = run(t, nil, "models", "default", "conf"); code != 0 {
		t.Fatal(out)
	}
	code, out, _ = run(t, nil, "models", "default")
	if code != 0 || strings.TrimSpace(out) != "conf" {
		t.Fatalf("default: %q", out)
	}
	// No --model: the user's default.
	code, out, errs = run(t, nil, "transcribe", "--raw", filepath.Join(toneWAVs, "its.wav"))
	if code != 0 || strings.TrimSpace(out) != "it's a test" {
		t.Fatalf("transcribe with default: %d %q %q", code, out, errs)
	}
	code, out, _ = run(t, nil, "models", "list")
	if code != 0 || !strings.Contains(out, "*  conf") || !strings.Contains(out, "imported from sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2") {
		t.Fatalf("list: %q", out)
	}
	code, out, errs = run(t, nil, "models", "info", "--seconds", "1", "conf")
	for _, w := range []string{"model.int8.onnx", "29 tokens", "nemo, 80 mel bins, normalisation none", "model_type = EncDecCTCModelBPE", "real time", "audio_signal float32[?,80,?]"} {
		if !strings.Contains(out, w) {
			t.Errorf("info lacks %q: %d %q %q", w, code, out, errs)
		}
	}
	if code, _, errs = run(t, nil, "models", "remove", "default"); code != ExitFailed || !strings.Contains(errs, "cannot be removed") {
		t.Fatalf("remove default: %q", errs)
	}
	if code, out, _ = run(t, nil, "models", "remove", "conf"); code != 0 || !strings.Contains(out, "embedded model is the default again") {
		t.Fatalf("remove: %q", out)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left: %v", ents)
	}
	code, _, errs = run(t, nil, "transcribe", "--model", "conf", filepath.Join(toneWAVs, "hello.wav"))
	if code != ExitFailed || !strings.Contains(errs, "conf: no such model") {
		t.Fatalf("removed model: %d %q", code, errs)
	}
}

func TestModelsImportErrors(t *testing.T) {
	dir := isolate(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{filepath.Join(importFixtures, "refuse", "wav2vec2")}, ExitFailed, "raw audio samples"},
		{[]string{filepath.Join(importFixtures, "refuse", "token-mismatch")}, ExitFailed, "has 10 tokens"},
		{[]string{filepath.Join(importFixtures, "refuse", "transducer")}, ExitFailed, "transducer"},
		{[]string{"--max-size", "2K", filepath.Join(importFixtures, "sherpa-onnx-nemo-ctc-en-citrinet-512.tar.gz")}, ExitFailed, "--max-size"},
		{[]string{"--max-files", "1", filepath.Join(importFixtures, "sherpa-onnx-nemo-ctc-en-citrinet-512.tar.gz")}, ExitFailed, "--max-files"},
		{[]string{"--max-size", "lots", "x"}, ExitUsage, "invalid size"},
		{[]string{"--name", "../evil", filepath.Join(importFixtures, "sherpa-onnx-zipformer-ctc-en.zip")}, ExitFailed, "invalid model name"},
		{[]string{}, ExitUsage, "Usage"},
	} {
		code, _, errs := run(t, nil, append([]string{"models", "import"}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
		if c.code == ExitFailed && strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: not one line: %q", c.args, errs)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left: %v", ents)
	}
	if code, _, errs := run(t, nil, "models", "frobnicate"); code != ExitUsage || !strings.Contains(errs, "unknown subcommand") {
		t.Errorf("unknown: %d %q", code, errs)
	}
	if code, _, errs := run(t, nil, "models", "default", "nope"); code != ExitFailed || !strings.Contains(errs, "no such model") {
		t.Errorf("default nope: %d %q", code, errs)
	}
}

// TestParseSize: one parser for every size flag (issue 18: "20MB" meant 20,000,000 bytes in
// lm build and 20 MiB in models import). SI suffixes are powers of 1000, IEC suffixes and a bare
// letter powers of 1024; "8GB" is now 8,000,000,000 where models import read 8 GiB.
func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"100": 100, "2K": 2048, "3MiB": 3 << 20, "1g": 1 << 30, "8GB": 8e9, "20MB": 20e6, "20 MiB": 20 << 20, "1.5GiB": 3 << 29, "512k": 512 << 10, "7b": 7} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "0", "-1", "x", "1Q", "99999999999T", "MB", "1e400", "0.1", "NaN", "5 MBB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestModelsImportTTYProgress(t *testing.T) {
	isolate(t)
	var o, e strings.Builder
	code := Main([]string{"models", "import", filepath.Join(importFixtures, "sherpa-onnx-zipformer-ctc-en.zip")}, &Env{Stdout: &o, Stderr: &e, StderrIsTTY: true})
	if code != 0 || !strings.Contains(e.String(), "checking the model") || !strings.Contains(o.String(), "kaldi features") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, o.String(), e.String())
	}
}
