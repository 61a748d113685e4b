package cli

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	tones    = "../../testdata/models/tones"
	tonesQ   = "../../testdata/models/tones-int8"
	toneWAVs = "../../testdata/tones"
	badDir   = "../../testdata/models/bad"
)

func run(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	env := &Env{Stdin: bytes.NewReader(stdin), Stdout: &o, Stderr: &e}
	code = Main(args, env)
	return code, o.String(), e.String()
}

// wavHeader builds a RIFF/WAVE header for PCM data of the given size.
func wavHeader(format, channels uint16, rate uint32, bits uint16, dataLen uint32) []byte {
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + dataLen))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(format)
	w(channels)
	w(rate)
	block := channels * bits / 8
	w(rate * uint32(block))
	w(block)
	w(bits)
	b.WriteString("data")
	w(dataLen)
	return b.Bytes()
}

func TestTranscribeJSONL(t *testing.T) {
	code, out, errs := run(t, nil, "transcribe", "--raw", "--format", "jsonl", "--model", tonesQ, toneWAVs)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines, got %q", out)
	}
	for _, l := range lines {
		var r fileResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(r.File, ".wav") + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		if r.Text != strings.TrimSpace(string(want)) {
			t.Errorf("%s: text %q, want %q", r.File, r.Text, want)
		}
		if r.Duration <= 0 || len(r.Words) != len(strings.Fields(r.Text)) {
			t.Errorf("%s: duration %v words %v", r.File, r.Duration, r.Words)
		}
		for i, w := range r.Words {
			if w.End <= w.Start || w.Confidence <= 0 || w.Confidence > 1 || (i > 0 && w.Start < r.Words[i-1].End) {
				t.Errorf("%s: bad word %+v", r.File, w)
			}
		}
	}
}

func TestTranscribeStdinAndGreedy(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(toneWAVs, "hello.wav"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, data, "transcribe", "--raw", "--model", tones, "--beam", "1", "-")
	if code != 0 || out != "hello world\n" {
		t.Fatalf("exit %d out %q err %q", code, out, errs)
	}
}

func TestTranscribeOutputDirAndFormats(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"txt", "json", "srt", "vtt", "jsonl"} {
		code, out, errs := run(t, nil, "transcribe", "--raw", "--model", tones, "--format", f, "--jobs", "3", "-o", dir, toneWAVs)
		if code != 0 || out != "" {
			t.Fatalf("%s: exit %d out %q err %q", f, code, out, errs)
		}
		b, err := os.ReadFile(filepath.Join(dir, "hello."+f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "hello") {
			t.Errorf("%s output: %q", f, b)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "hark.srt"))
	if !strings.HasPrefix(string(b), "1\n00:00:00,") {
		t.Errorf("srt: %q", b)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"transcribe"},
		{"transcribe", "--format", "doc", "x.wav"},
		{"transcribe", "--jobs", "0", "x.wav"},
		{"transcribe", "--format", "srt", "a.wav", "b.wav"},
		{"transcribe", "--no-such-flag", "x.wav"},
		{"frobnicate"},
	} {
		if code, _, _ := run(t, nil, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

// Each bad input gets a one-line error naming the file, exit code 1, and does not stop the
// good file given with it.
func TestBadAudioInputs(t *testing.T) {
	dir := t.TempDir()
	pcm := make([]byte, 3200)
	files := map[string][]byte{
		"empty.wav":        nil,
		"truncated.wav":    wavHeader(1, 1, 16000, 16, 3200)[:20],
		"shortdata.wav":    append(wavHeader(1, 1, 16000, 16, 32000), pcm...),
		"notwav.wav":       []byte("this is a text file, not audio at all\n"),
		"zerochannels.wav": append(wavHeader(1, 0, 16000, 16, 3200), pcm...),
		"absurdrate.wav":   append(wavHeader(1, 1, 5, 16, 3200), pcm...),
		"nosamples.wav":    wavHeader(1, 1, 16000, 16, 0),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name := range files {
		p := filepath.Join(dir, name)
		code, out, errs := run(t, nil, "transcribe", "--raw", "--format", "jsonl", "--model", tones, p, filepath.Join(toneWAVs, "hello.wav"))
		if code != ExitFailed {
			t.Errorf("%s: exit %d, want 1 (stderr %q)", name, code, errs)
		}
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], p) {
			t.Errorf("%s: want one error line naming the file, got %q", name, errs)
		}
		if !strings.Contains(out, `"text":"hello world"`) {
			t.Errorf("%s: the good file was not transcribed: %q", name, out)
		}
		if !strings.Contains(out, `"error":`) {
			t.Errorf("%s: no jsonl error object: %q", name, out)
		}
		t.Logf("%s: %s", name, strings.TrimSpace(errs))
	}
}

func TestBadModels(t *testing.T) {
	mk := func(onnxSrc, tokensSrc string) string {
		d := t.TempDir()
		for src, dst := range map[string]string{onnxSrc: "model.onnx", tokensSrc: "tokens.txt"} {
			if src == "" {
				continue
			}
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, dst), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	toks := filepath.Join(tones, "tokens.txt")
	cases := map[string]struct{ dir, want string }{
		"missing model":  {mk("", toks), "no model.onnx"},
		"not a model":    {mk(filepath.Join(badDir, "not-a-model.onnx"), toks), "not a valid ONNX model"},
		"token mismatch": {mk(filepath.Join(tones, "model.onnx"), filepath.Join(badDir, "tokens-10.txt")), "has 10 tokens but the model outputs 29"},
		"wrong rank":     {mk(filepath.Join(badDir, "rank4.onnx"), toks), "not a CTC model"},
		"raw waveform":   {mk(filepath.Join(badDir, "rank2.onnx"), toks), "raw audio samples"},
		"missing tokens": {mk(filepath.Join(tones, "model.onnx"), ""), "no tokens.txt"},
		"no such dir":    {filepath.Join(t.TempDir(), "nope"), "no such model directory"},
	}
	for name, c := range cases {
		code, _, errs := run(t, nil, "transcribe", "--model", c.dir, filepath.Join(toneWAVs, "hello.wav"))
		if code != ExitFailed || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q, want one line containing %q", name, code, errs, c.want)
		}
	}
}

func TestBenchAndEval(t *testing.T) {
	code, out, errs := run(t, nil, "bench", "--model", tones, "--runs", "2", filepath.Join(toneWAVs, "hark.wav"))
	if code != 0 || !strings.Contains(out, "features") || !strings.Contains(out, "text      hark hears all") {
		t.Fatalf("bench: %d %q %q", code, out, errs)
	}
	dir := t.TempDir()
	abs, _ := filepath.Abs(toneWAVs)
	manifest := filepath.Join(dir, "m.tsv")
	os.WriteFile(manifest, []byte(abs+"/hello.wav\tHello, world!\n"+abs+"/its.wav\tit's a rest\n"), 0o644)
	code, out, errs = run(t, nil, "eval", "--model", tones, manifest)
	if code != 0 || !strings.Contains(out, "WER       20.00% (1 errors / 5 words)") {
		t.Fatalf("eval: %d %q %q", code, out, errs)
	}
}
