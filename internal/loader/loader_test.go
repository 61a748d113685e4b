package loader

import (
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hark/asr"
	"hark/asr/features"
	"hark/audio/audiofile"
	"hark/models"
)

const (
	importFixtures = "../../testdata/models/import"
	toneWAVs       = "../../testdata/tones"
)

func newStore(t *testing.T) *models.Store {
	t.Helper()
	d := t.TempDir()
	return &models.Store{Dir: filepath.Join(d, "models"), Settings: filepath.Join(d, "models.json")}
}

func importFixture(t *testing.T, s *models.Store, src string) string {
	t.Helper()
	im, err := s.Import(context.Background(), filepath.Join(importFixtures, src), models.ImportOptions{Validate: func(ctx context.Context, dir string) error {
		return Validate(ctx, dir)
	}})
	if err != nil {
		t.Fatal(err)
	}
	return im.Name
}

// TestImportRunDecode imports each supported convention, resolves it by name as --model
// does, and checks the front-end chosen and, for the models whose features the tone
// recordings were made for, the transcript.
func TestImportRunDecode(t *testing.T) {
	cases := []struct {
		src, preset string
		normalize   bool
		decode      bool
	}{
		{"sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2", "nemo", false, true},
		{"sherpa-onnx-nemo-ctc-en-citrinet-512.tar.gz", "nemo", true, false},
		{"sherpa-onnx-zipformer-ctc-en.zip", "kaldi", false, false},
		{"hark-tones.tar.xz", "nemo", false, true},
	}
	s := newStore(t)
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			if strings.HasSuffix(c.src, ".xz") && !haveXZ() {
				t.Skip("xz not installed")
			}
			name := importFixture(t, s, c.src)
			m, err := FindIn(s, name)
			if err != nil {
				t.Fatal(err)
			}
			given := *m
			ld, err := Load(m, asr.Config{Beam: 1, NoLM: true})
			if err != nil {
				t.Fatal(err)
			}
			defer ld.Close()
			// Load leaves the model it is given alone (issue 18) and fills in a copy.
			if m.FeaturePreset != given.FeaturePreset || m.NMels != given.NMels || m.SubsamplingFactor != given.SubsamplingFactor {
				t.Errorf("Load changed its argument: %+v, was %+v", m.Spec, given.Spec)
			}
			m = ld.Model
			if m.FeaturePreset != c.preset || (m.Normalize == "per_feature") != c.normalize || m.SubsamplingFactor != 4 {
				t.Errorf("preset %q normalize %q subsampling %d", m.FeaturePreset, m.Normalize, m.SubsamplingFactor)
			}
			fc := FeatureConfig(m.Spec)
			if fc.Normalize != c.normalize || (fc.Preset == features.Kaldi) != (c.preset == "kaldi") || fc.ScaleInt16 != (c.preset == "kaldi") {
				t.Errorf("features %+v", fc)
			}
			if !c.decode {
				return
			}
			for _, w := range []string{"hello", "its"} {
				x, err := audiofile.Load(filepath.Join(toneWAVs, w+".wav"), 16000)
				if err != nil {
					t.Fatal(err)
				}
				res, err := ld.Recognizer.Recognize(context.Background(), x)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := os.ReadFile(filepath.Join(toneWAVs, w+".txt"))
				if res.Text != strings.TrimSpace(string(want)) {
					t.Errorf("%s: got %q, want %q", w, res.Text, strings.TrimSpace(string(want)))
				}
			}
		})
	}
}

func haveXZ() bool {
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, "xz")); err == nil {
			return true
		}
	}
	return false
}

// TestRefusals imports each model Hark cannot run and checks the one-line reason and that
// nothing is installed.
func TestRefusals(t *testing.T) {
	for dir, want := range map[string]string{
		"wav2vec2":       "raw audio samples",
		"paraformer":     "Paraformer",
		"token-mismatch": "has 10 tokens",
		"corrupt-onnx":   "not a valid ONNX model",
		"all-features":   `normalize_type "all_features"`,
		"transducer":     "transducer",
		"whisper":        "Whisper",
		"no-tokens":      "no tokens.txt",
	} {
		t.Run(dir, func(t *testing.T) {
			s := newStore(t)
			src := filepath.Join(importFixtures, "refuse", dir)
			_, err := s.Import(context.Background(), src, models.ImportOptions{Validate: func(ctx context.Context, d string) error { return Validate(ctx, d) }})
			if err == nil {
				t.Fatal("imported")
			}
			msg := err.Error()
			if !strings.Contains(msg, want) || strings.Contains(msg, "\n") || !strings.Contains(msg, src) || strings.Contains(msg, ".import-") {
				t.Errorf("error %q: want one line naming %s and saying %q", msg, src, want)
			}
			if ents, _ := os.ReadDir(s.Dir); len(ents) != 0 {
				t.Errorf("left behind: %v", ents)
			}
		})
	}
}

func TestFind(t *testing.T) {
	s := newStore(t)
	for _, n := range []string{"", "default"} {
		m, err := FindIn(s, n)
		if err != nil || m.Source != "embedded:default" {
			t.Fatalf("%q: %v %v", n, m, err)
		}
	}
	name := importFixture(t, s, "sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2")
	if err := s.SetDefault(name); err != nil {
		t.Fatal(err)
	}
	if m, err := FindIn(s, ""); err != nil || m.Source != filepath.Join(s.Dir, name) {
		t.Fatalf("user default: %v %v", m, err)
	}
	if m, err := FindIn(s, "default"); err != nil || m.Source != "embedded:default" {
		t.Fatalf("default: %v %v", m, err)
	}
	if m, err := FindIn(s, "../../testdata/models/tones"); err != nil || m.Name != "tones" {
		t.Fatalf("dir: %v %v", m, err)
	}
	_, err := FindIn(s, "nosuch")
	if err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Fatalf("nosuch: %v", err)
	}
	_, err = FindIn(s, "./nosuch/dir")
	if err == nil || !strings.Contains(err.Error(), "no such model directory") {
		t.Fatalf("dir: %v", err)
	}
}

func TestTrySpeed(t *testing.T) {
	m, err := FindIn(nil, "../../testdata/models/tones-int8")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Try(context.Background(), m, 2)
	if err != nil {
		t.Fatal(err)
	}
	if c.Vocab != 29 || c.Frames != 51 || c.Features != 80 || c.RTF() <= 0 || c.Audio.Seconds() != 2 {
		t.Errorf("%+v", c)
	}
}

// TestNeMoParity compares the front-end a per_feature, pad_to 16 NeMo model gets with
// testdata/features/nemo_pad_to.py, a numpy implementation of NeMo's preprocessing.
func TestNeMoParity(t *testing.T) {
	b, err := os.ReadFile("../../testdata/features/nemo_pad_to.bin")
	if err != nil {
		t.Fatalf("run /usr/bin/python3 testdata/features/nemo_pad_to.py: %v", err)
	}
	recs := readRecords(t, b)
	spec := models.Spec{FeaturePreset: "nemo", NMels: 80, Normalize: "per_feature", PadTo: 16}
	fe, err := features.New(FeatureConfig(spec))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range []string{"speech", "short"} {
		x, want := recs[name+"/samples"], recs[name+"/nemo_norm_pad16"]
		got := fe.Compute(x.Data)
		if got.Rows != want.Rows || got.Cols != want.Cols || got.Rows%16 != 0 {
			t.Errorf("%s: got %dx%d, want %dx%d", name, got.Rows, got.Cols, want.Rows, want.Cols)
			continue
		}
		maxErr := 0.0
		for i := range want.Data {
			if d := math.Abs(float64(got.Data[i] - want.Data[i])); d > maxErr || math.IsNaN(d) {
				maxErr = d
			}
		}
		if maxErr > 2e-3 || math.IsNaN(maxErr) {
			t.Errorf("%s: max abs error %.3g", name, maxErr)
		}
		t.Logf("%s: %d frames, max abs error %.2g", name, got.Rows, maxErr)
		checked++
	}
	if checked != 2 {
		t.Errorf("checked %d records", checked)
	}
}

func readRecords(t *testing.T, b []byte) map[string]asr.Matrix {
	t.Helper()
	if len(b) < 8 || string(b[:4]) != "HKFG" {
		t.Fatal("bad magic")
	}
	n := int(binary.LittleEndian.Uint32(b[4:]))
	b = b[8:]
	out := map[string]asr.Matrix{}
	for range n {
		nl := int(binary.LittleEndian.Uint16(b))
		name := string(b[2 : 2+nl])
		b = b[2+nl:]
		rows, cols := int(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint32(b[4:]))
		b = b[8:]
		m := asr.Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
		for j := range m.Data {
			m.Data[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
		}
		b = b[4*rows*cols:]
		out[name] = m
	}
	return out
}
