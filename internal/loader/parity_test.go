package loader

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hark/asr"
	"hark/asr/eval"
	"hark/audio/audiofile"
	"hark/models"
)

// parity is testdata/models/default-parity.json, written by models/train/parity.py.
type parity struct {
	Step  int `json:"checkpoint_step"`
	Files []struct {
		Wav    string `json:"wav"`
		Text   string `json:"text"`
		Argmax []int  `json:"argmax"`
	} `json:"files"`
}

// loadDefault loads the embedded default model with cfg; the test closes it.
func loadDefault(t *testing.T, cfg asr.Config) *Loaded {
	t.Helper()
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	ld, err := Load(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ld
}

func readParity(t *testing.T) parity {
	t.Helper()
	var p parity
	b, err := os.ReadFile("../../testdata/models/default-parity.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDefaultModelParity checks that the embedded int8 model, fed by Hark's Go front-end,
// reproduces what the training code (torch features, float checkpoint) computed on the same
// recordings — testdata/models/default-parity.json, written by models/train/parity.py at
// each export. A drift between the training features and asr/features, or a broken export,
// shows up here as frames whose best token disagrees.
func TestDefaultModelParity(t *testing.T) {
	want := readParity(t)
	var card struct {
		Training struct {
			Step int `json:"step"`
		} `json:"training"`
	}
	b, err := os.ReadFile("../../models/default/model.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &card); err != nil {
		t.Fatal(err)
	}
	if card.Training.Step != want.Step {
		t.Fatalf("default model is from step %d but the parity file from step %d: run models/train/parity.py after exporting", card.Training.Step, want.Step)
	}
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	ld, err := Load(m, asr.Config{Beam: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer ld.Close()
	for _, f := range want.Files {
		x, err := audiofile.Load(filepath.Join("../..", f.Wav), 16000)
		if err != nil {
			t.Fatal(err)
		}
		post, err := ld.Engine.Run(context.Background(), ld.Recognizer.FeatureExtractor().Compute(x))
		if err != nil {
			t.Fatal(err)
		}
		if post.Rows != len(f.Argmax) {
			t.Errorf("%s: %d output frames, training code had %d", f.Wav, post.Rows, len(f.Argmax))
			continue
		}
		got := make([]int, post.Rows)
		for i := range got {
			row := post.Row(i)
			for j, v := range row {
				if v > row[got[i]] {
					got[i] = j
				}
			}
		}
		frac, dist, err := parityCheck(got, f.Argmax)
		t.Logf("%s: best token agrees on %.1f%% of %d frames, greedy symbols %d edits from the training code's %q", f.Wav, 100*frac, post.Rows, dist, f.Text)
		if err != nil {
			t.Errorf("%s: %v", f.Wav, err)
		}
	}
}

// parityCheck compares the int8 model's best token per frame with the training code's. int8
// weights move a few near-tied frames; a front-end or export mismatch moves most of them
// (frame agreement below 90%), and a broken int8 kernel adds stray letters (issue 15:
// "whatzyou … ozne") — more than one edit per hundred symbols of the greedy output.
func parityCheck(got, want []int) (agreement float64, edits int, err error) {
	if len(got) != len(want) {
		return 0, 0, fmt.Errorf("%d output frames, training code had %d", len(got), len(want))
	}
	agree := 0
	for i := range got {
		if got[i] == want[i] {
			agree++
		}
	}
	agreement = float64(agree) / float64(len(got))
	blank := mostCommon(want)
	g, w := collapse(got, blank), collapse(want, blank)
	edits = eval.EditDistance(w, g)
	switch {
	case agreement < 0.9:
		return agreement, edits, fmt.Errorf("the int8 model on Go features agrees with the training code on only %.1f%% of frames", 100*agreement)
	case edits > max(1, len(w)/100):
		return agreement, edits, fmt.Errorf("greedy output is %d symbol edits from the training code's (%d symbols): stray or lost letters", edits, len(w))
	}
	return agreement, edits, nil
}

// mostCommon is the most frequent token: the blank, in a CTC model's output.
func mostCommon(ids []int) int {
	n := map[int]int{}
	best := 0
	for _, id := range ids {
		n[id]++
		if n[id] > n[best] {
			best = id
		}
	}
	return best
}

// collapse is CTC's greedy rule: merge repeats, drop blanks.
func collapse(ids []int, blank int) []int {
	var out []int
	prev := -1
	for _, id := range ids {
		if id != prev && id != blank {
			out = append(out, id)
		}
		prev = id
	}
	return out
}

// TestParityCatchesGarbage feeds parityCheck what a broken int8 path produced (issue 15: four
// stray letters in the sample's sentence, "whatzyou … ozne … withozut … ovzr") made from the
// training code's own frames: it must fail, while the training code's frames themselves pass.
func TestParityCatchesGarbage(t *testing.T) {
	ref := readParity(t).Files[0].Argmax
	if _, _, err := parityCheck(ref, ref); err != nil {
		t.Fatalf("identical frames rejected: %v", err)
	}
	blank := mostCommon(ref)
	const stray = 26 // 'z' in the default model's tokens
	garbled := append([]int(nil), ref...)
	inserted := 0
	for i := 1; i+1 < len(garbled) && inserted < 4; i += len(garbled) / 5 {
		for ; i+1 < len(garbled); i++ {
			if garbled[i] == blank && garbled[i-1] != stray && garbled[i+1] != stray {
				garbled[i] = stray
				inserted++
				break
			}
		}
	}
	frac, edits, err := parityCheck(garbled, ref)
	if err == nil {
		t.Fatalf("4 stray letters passed (frames agree %.1f%%, %d edits)", 100*frac, edits)
	}
	t.Logf("caught: %v (frames agree %.1f%%)", err, 100*frac)
}

// TestDefaultModelLM checks that the embedded default model brings its language model and the
// α/β tuned for it (models/default/model.json), and that --lm none and an explicit weight win.
func TestDefaultModelLM(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	ld, err := Load(m, asr.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ld.Close()
	if ld.LM == nil || ld.LMName != "embedded:default/lm.bin" {
		t.Fatalf("default model: LM %v named %q, want the embedded lm.bin", ld.LM != nil, ld.LMName)
	}
	if m.Decoding == nil || ld.Beam.LMWeight != m.Decoding.LMWeight || ld.Beam.WordBonus != m.Decoding.WordBonus {
		t.Fatalf("beam uses α %v β %v, model.json says %+v", ld.Beam.LMWeight, ld.Beam.WordBonus, m.Decoding)
	}
	m2, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	ld2, err := Load(m2, asr.Config{NoLM: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ld2.Close()
	if ld2.LM != nil {
		t.Fatal("NoLM still loaded the default model's LM")
	}
}

// TestDefaultLMKeepsWordsApart is issue 22's "hare crigts" case: with its LM the default model
// read the bundled sample as "Harecrigts down …" where without it it reads "Hare crigts down …":
// one long unknown word cost less than a known word and a short unknown one. The LM may change
// words but must not glue them: the text with the LM has at least as many words as without.
func TestDefaultLMKeepsWordsApart(t *testing.T) {
	x, err := audiofile.Load("../../testdata/speech/sample.wav", 16000)
	if err != nil {
		t.Fatal(err)
	}
	words := func(cfg asr.Config) []string {
		ld := loadDefault(t, cfg)
		defer ld.Close()
		res, err := ld.Recognizer.Recognize(context.Background(), x)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(res.Text)
	}
	with, without := words(asr.Config{}), words(asr.Config{NoLM: true})
	t.Logf("with the LM %q, without %q", strings.Join(with, " "), strings.Join(without, " "))
	if len(with) < len(without) {
		t.Errorf("the LM glued words: %d words with it, %d without", len(with), len(without))
	}
}
