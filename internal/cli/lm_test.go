package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lmText is a small training text in which the tone fixtures' sentences are likely.
const lmText = "Hello world. Hello there, world!\nHark hears all.\nIt's a test; it's only a test.\n" +
	"The world hears a test.\nHello, hark!\nAll is well in the world.\n"

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func buildLM(t *testing.T, dir, name string, extra ...string) string {
	t.Helper()
	txt := writeFile(t, filepath.Join(dir, "text.txt"), []byte(strings.Repeat(lmText, 5)))
	out := filepath.Join(dir, name)
	args := append([]string{"lm", "build", "--order", "3", "-o", out}, extra...)
	code, stdout, errs := run(t, nil, append(args, txt)...)
	if code != 0 {
		t.Fatalf("lm build: exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "3-grams") || !strings.Contains(stdout, "wrote") {
		t.Fatalf("lm build output: %q", stdout)
	}
	return out
}

func TestLMBuildInfoConvert(t *testing.T) {
	dir := t.TempDir()
	bin := buildLM(t, dir, "lm.bin", "--holdout", "0.2", "--prune", "0,0,1")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(lmText, 5)))
	zw.Close()
	gzText := writeFile(t, filepath.Join(dir, "text.txt.gz"), gz.Bytes())
	arpa := filepath.Join(dir, "lm.arpa")
	code, out, errs := run(t, nil, "lm", "build", "-o", arpa, "--holdout", "0.2", gzText)
	if code != 0 || !strings.Contains(out, "perplexity") || !strings.Contains(out, "held out   the last") {
		t.Fatalf("build from .gz: %d %q %q", code, out, errs)
	}
	if b, _ := os.ReadFile(arpa); !bytes.HasPrefix(bytes.TrimSpace(b), []byte("\\data\\")) {
		t.Fatalf("%s is not ARPA", arpa)
	}
	code, out, errs = run(t, nil, "lm", "info", "--ppl", gzText, bin)
	if code != 0 || !strings.Contains(out, "order      3") || !strings.Contains(out, "load time") || !strings.Contains(out, "perplexity") {
		t.Fatalf("info: %d %q %q", code, out, errs)
	}
	conv := filepath.Join(dir, "conv.bin")
	if code, _, errs = run(t, nil, "lm", "convert", arpa, conv); code != 0 {
		t.Fatalf("convert: %s", errs)
	}
	if code, out, _ = run(t, nil, "lm", "info", conv); code != 0 || !strings.Contains(out, "order      3") {
		t.Fatalf("info of converted: %q", out)
	}
	// Bad input: one line naming the file (and line) and the problem.
	bad := writeFile(t, filepath.Join(dir, "bad.arpa"), []byte("\\data\\\nngram 1=2\n\n\\1-grams:\n-0.5 a\n-x b\n\\end\\\n"))
	code, _, errs = run(t, nil, "lm", "info", bad)
	if code != ExitFailed || !strings.Contains(errs, bad+":6: log probability \"-x\"") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("bad ARPA: %d %q", code, errs)
	}
	for _, args := range [][]string{
		{"lm"},
		{"lm", "frobnicate"},
		{"lm", "build", "-o", filepath.Join(dir, "x.bin")},
		{"lm", "build", gzText},
		{"lm", "build", "--order", "9", "-o", "x.bin", gzText},
		{"lm", "build", "--prune", "0,x", "-o", "x.bin", gzText},
		{"lm", "build", "--max-size", "lots", "-o", "x.bin", gzText},
		{"lm", "build", "--holdout", "1.5", "-o", "x.bin", gzText},
		{"lm", "info"},
		{"lm", "convert", arpa},
	} {
		if code, _, _ := run(t, nil, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
	code, _, errs = run(t, nil, "lm", "build", "--prune", "1", "-o", filepath.Join(dir, "x.bin"), gzText)
	if code != ExitFailed || !strings.Contains(errs, "unigrams cannot be pruned") {
		t.Errorf("prune 1: %d %q", code, errs)
	}
	code, _, errs = run(t, nil, "lm", "build", "-o", filepath.Join(dir, "x.bin"), filepath.Join(dir, "missing.txt"))
	if code != ExitFailed || !strings.Contains(errs, "missing.txt") {
		t.Errorf("missing input: %d %q", code, errs)
	}
	// issue 17: `lm build -o corpus.txt corpus.txt` overwrote the corpus; an output that is one
	// of the inputs (by any name) is a usage error, and the input is left as it was.
	corpus := writeFile(t, filepath.Join(dir, "corpus.txt"), []byte("one two three\nthree two one\n"))
	if err := os.Symlink("corpus.txt", filepath.Join(dir, "alias.txt")); err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{corpus, filepath.Join(dir, "alias.txt")} {
		code, _, errs = run(t, nil, "lm", "build", "-o", o, corpus)
		if code != ExitUsage || !strings.Contains(errs, o) || !strings.Contains(errs, "is also an input") {
			t.Errorf("-o %s over its input: %d %q", o, code, errs)
		}
	}
	if b, _ := os.ReadFile(corpus); string(b) != "one two three\nthree two one\n" {
		t.Errorf("corpus became %q", b)
	}
	// Device nodes and other non-regular files are never replaced (as root, -o /dev/full
	// replaced /dev/full).
	code, _, errs = run(t, nil, "lm", "build", "-o", dir, corpus)
	if code != ExitFailed || !strings.Contains(errs, "not a regular file") {
		t.Errorf("-o a directory: %d %q", code, errs)
	}
}

func TestTranscribeFormatting(t *testing.T) {
	hello := filepath.Join(toneWAVs, "hello.wav")
	code, out, errs := run(t, nil, "transcribe", "--model", tones, hello)
	if code != 0 || out != "Hello world.\n" {
		t.Fatalf("default: %d %q %q", code, out, errs)
	}
	if _, out, _ = run(t, nil, "transcribe", "--raw", "--model", tones, hello); out != "hello world\n" {
		t.Fatalf("--raw: %q", out)
	}
	dir := t.TempDir()
	rep := writeFile(t, filepath.Join(dir, "rep.txt"), []byte("# test\nhello => Howdy\nworld\tpartner\n"))
	if _, out, _ = run(t, nil, "transcribe", "--replacements", rep, "--model", tones, hello); out != "Howdy partner.\n" {
		t.Errorf("--replacements: %q", out)
	}
	if _, out, _ = run(t, nil, "transcribe", "--raw", "--replacements", rep, "--model", tones, hello); out != "Howdy partner\n" {
		t.Errorf("--raw --replacements: %q", out)
	}
	// JSON words follow the formatted text; subtitles get the punctuation.
	_, out, _ = run(t, nil, "transcribe", "--format", "json", "--model", tones, hello)
	var r fileResult
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Text != "Hello world." || len(r.Words) != 2 || r.Words[1].Word != "world." {
		t.Errorf("json: %v %+v", err, r)
	}
	cycle := writeFile(t, filepath.Join(dir, "cycle.txt"), []byte("hello => world\nworld => hello\n"))
	code, _, errs = run(t, nil, "transcribe", "--replacements", cycle, "--model", tones, hello)
	if code != ExitFailed || !strings.Contains(errs, cycle+":1: replacements form a cycle: line 1") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("cycle: %d %q", code, errs)
	}
}

func TestTranscribeLMAndHotwords(t *testing.T) {
	dir := t.TempDir()
	bin := buildLM(t, dir, "lm.bin")
	hello := filepath.Join(toneWAVs, "hello.wav")
	its := filepath.Join(toneWAVs, "its.wav")
	hot := writeFile(t, filepath.Join(dir, "hot.txt"), []byte("hark:2\nzebra crossing\ncafé\n"))
	for _, args := range [][]string{
		{"--lm", bin},
		{"--lm", bin, "--lm-weight", "1.5", "--word-bonus", "0"},
		{"--lm", "none"},
		{"--hotwords", hot},
		{"--lm", bin, "--hotwords", hot, "--beam", "16"},
	} {
		a := append([]string{"transcribe", "--raw", "--model", tones}, args...)
		code, out, errs := run(t, nil, append(a, hello, its)...)
		// Clear speech is not changed by the LM or by boosting words that were not said.
		if code != 0 || out != hello+": hello world\n"+its+": it's a test\n" {
			t.Errorf("%v: %d %q %q", args, code, out, errs)
		}
		if strings.Contains(strings.Join(args, " "), "hotwords") && !strings.Contains(errs, hot+":3: skipped \"café\"") {
			t.Errorf("%v: no warning for the unspellable hotword: %q", args, errs)
		}
	}
	empty := writeFile(t, filepath.Join(dir, "empty.txt"), nil)
	badARPA := writeFile(t, filepath.Join(dir, "bad.arpa"), []byte("\\data\\\nngram 1=1\n\n\\1-grams:\n-0.5 a\n"))
	cases := map[string]struct {
		args []string
		code int
		want string
	}{
		"empty hotwords":  {[]string{"--hotwords", empty}, ExitFailed, empty + ": no hotwords"},
		"missing LM":      {[]string{"--lm", filepath.Join(dir, "nope.bin")}, ExitFailed, "nope.bin"},
		"bad LM":          {[]string{"--lm", badARPA}, ExitFailed, badARPA + ":5: missing \\end\\"},
		"negative weight": {[]string{"--lm-weight", "-1"}, ExitUsage, "--lm-weight -1"},
		"NaN bonus":       {[]string{"--word-bonus", "NaN"}, ExitUsage, "--word-bonus NaN"},
	}
	for name, c := range cases {
		a := append([]string{"transcribe", "--model", tones}, c.args...)
		code, _, errs := run(t, nil, append(a, hello)...)
		if code != c.code || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q, want %d and %q", name, code, errs, c.code, c.want)
		}
	}
	// eval takes the same flags.
	abs, _ := filepath.Abs(toneWAVs)
	manifest := writeFile(t, filepath.Join(dir, "m.tsv"), []byte(abs+"/hello.wav\tHello, world!\n"))
	code, out, errs := run(t, nil, "eval", "--model", tones, "--lm", bin, "--lm-weight", "0.8", "--word-bonus", "2", "--hotwords", hot, manifest)
	if code != 0 || !strings.Contains(out, "WER       0.00%") {
		t.Errorf("eval: %d %q %q", code, out, errs)
	}
}

// TestModelDirectoryLM checks that a model directory's own LM is used: lm.bin by default,
// or the file model.json names.
func TestModelDirectoryLM(t *testing.T) {
	mk := func(extra map[string][]byte) string {
		d := t.TempDir()
		for _, f := range []string{"model.onnx", "tokens.txt", "model.json"} {
			b, err := os.ReadFile(filepath.Join(tones, f))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(d, f), b)
		}
		for name, b := range extra {
			writeFile(t, filepath.Join(d, name), b)
		}
		return d
	}
	lmBytes, err := os.ReadFile(buildLM(t, t.TempDir(), "lm.bin"))
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := os.ReadFile(filepath.Join(tones, "model.json"))
	named := bytes.Replace(spec, []byte("{"), []byte(`{"lm": "words.bin",`), 1)
	hello := filepath.Join(toneWAVs, "hello.wav")
	good := map[string]string{
		"lm.bin":   mk(map[string][]byte{"lm.bin": lmBytes}),
		"named":    mk(map[string][]byte{"model.json": named, "words.bin": lmBytes}),
		"no lm":    mk(nil),
		"bad, off": mk(map[string][]byte{"lm.bin": []byte("garbage")}), // with --lm none
	}
	for name, d := range good {
		args := []string{"transcribe", "--raw", "--model", d, hello}
		if name == "bad, off" {
			args = append(args, "--lm", "none")
		}
		if code, out, errs := run(t, nil, args...); code != 0 || out != "hello world\n" {
			t.Errorf("%s: %d %q %q", name, code, out, errs)
		}
	}
	bad := map[string]struct {
		dir, want string
	}{
		"corrupt lm.bin":  {mk(map[string][]byte{"lm.bin": lmBytes[:100]}), "lm.bin: "},
		"named, missing":  {mk(map[string][]byte{"model.json": named}), "words.bin: language model named in model.json is missing"},
		"named, escaping": {mk(map[string][]byte{"model.json": bytes.Replace(spec, []byte("{"), []byte(`{"lm": "../x.bin",`), 1)}), "is not a file inside the model directory"},
	}
	for name, c := range bad {
		code, _, errs := run(t, nil, "transcribe", "--model", c.dir, hello)
		if code != ExitFailed || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q, want %q", name, code, errs, c.want)
		}
	}
}

func TestBenchAndEvalSearchSettings(t *testing.T) {
	dir := t.TempDir()
	bin := buildLM(t, dir, "lm.bin")
	hot := writeFile(t, filepath.Join(dir, "hot.txt"), []byte("hark\n"))
	wav := filepath.Join(toneWAVs, "hark.wav")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "search    beam 8, no LM\n"},
		{[]string{"--beam", "1"}, "search    greedy (no LM, no hotwords)\n"},
		{[]string{"--beam", "16", "--lm", bin, "--lm-weight", "0.7", "--word-bonus", "1.5", "--hotwords", hot},
			"search    beam 16, LM " + bin + " ("},
		{[]string{"--lm", bin, "--lm-weight", "0.7", "--word-bonus", "1.5"}, ", α 0.7, β 1.5)\n"},
		{[]string{"--lm", "none", "--hotwords", hot}, "search    beam 8, no LM, hotwords\n"},
	} {
		args := append([]string{"bench", "--model", tones, "--runs", "1"}, c.args...)
		code, out, errs := run(t, nil, append(args, wav)...)
		if code != 0 || !strings.Contains(out, c.want) || !strings.Contains(out, "text      hark hears all") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", c.args, code, out, errs, c.want)
		}
		if !strings.Contains(out, "share") || !strings.Contains(out, "100.0%") {
			t.Errorf("%v: no share column: %q", c.args, out)
		}
	}
	if code, _, errs := run(t, nil, "bench", "--model", tones, "--lm-weight", "-1", wav); code != ExitUsage || !strings.Contains(errs, "--lm-weight") {
		t.Errorf("bad --lm-weight: exit %d, %q", code, errs)
	}
	abs, _ := filepath.Abs(toneWAVs)
	manifest := writeFile(t, filepath.Join(dir, "m.tsv"), []byte(abs+"/hark.wav\thark hears all\n"))
	code, out, errs := run(t, nil, "eval", "--model", tones, "--lm", bin, manifest)
	if code != 0 || !strings.Contains(out, "WER       0.00%") || !strings.Contains(out, "stages    decode ") ||
		!strings.Contains(out, "of the total; beam 8, LM "+bin) {
		t.Errorf("eval: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
