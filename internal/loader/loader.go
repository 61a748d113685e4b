package loader

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"hark/asr"
	"hark/asr/ctc"
	"hark/asr/features"
	"hark/asr/lm"
	"hark/asr/onnx"
	"hark/asr/recognizer"
	"hark/asr/text"
	"hark/internal/trace"
	"hark/models"
)

// Loaded is a model ready to recognize speech.
type Loaded struct {
	Model      *models.Model
	Engine     *onnx.Engine
	Recognizer *recognizer.Recognizer
	LM         *lm.Model      // language model in use, or nil
	LMName     string         // where LM came from
	Beam       ctc.BeamConfig // search settings given to the recognizer
	Warnings   []string       // problems that did not stop loading (skipped hotwords, ...)
}

// Close releases the engine.
func (l *Loaded) Close() error { return l.Engine.Close() }

// Find resolves a --model argument: "" is the user's default model (`hark models default`,
// the embedded model unless another was chosen), "default" the embedded model, a name an
// installed model (`hark models list`), anything else a model directory.
func Find(name string) (*models.Model, error) {
	st, err := models.DefaultStore()
	if err != nil {
		if name == "" || name == models.DefaultName {
			return models.Default()
		}
		st = nil
	}
	return FindIn(st, name)
}

// FindIn is Find with the model store given (nil: no installed models).
func FindIn(store *models.Store, name string) (*models.Model, error) {
	if name == "" {
		if store == nil {
			return models.Default()
		}
		name = store.DefaultModel()
	}
	if name == models.DefaultName {
		return models.Default()
	}
	// A path (anything with a separator, or an existing directory) wins over a name.
	if strings.ContainsRune(name, os.PathSeparator) || strings.HasPrefix(name, ".") || store == nil || !store.Has(name) {
		if st, err := os.Stat(name); err == nil && st.IsDir() {
			return models.LoadDir(name)
		}
		if store != nil && models.ValidName(name) == nil && !strings.ContainsRune(name, os.PathSeparator) {
			return nil, fmt.Errorf("%s: no such model (not installed, see `hark models list`, and not a model directory)", name)
		}
		return nil, fmt.Errorf("%s: no such model directory", name)
	}
	return store.Open(name)
}

// NoCacheEnv, set to anything, turns off the cache of optimised models.
const NoCacheEnv = "HARK_NO_MODEL_CACHE"

// OptimisedCacheDir is where ONNX Runtime's optimised form of each model is kept between runs
// ($XDG_CACHE_HOME/hark/onnxruntime), "" when there is no cache directory or $HARK_NO_MODEL_CACHE
// is set. Entries are derived data: deleting them only costs the next start ~0.25 s.
func OptimisedCacheDir() string {
	if os.Getenv(NoCacheEnv) != "" {
		return ""
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "hark", "onnxruntime")
}

// Load opens the model's engine and builds its recognizer. m is not changed: what the
// ONNX file's metadata and the defaults fill in goes into Loaded.Model, a copy.
func Load(m *models.Model, cfg asr.Config) (*Loaded, error) {
	mc := *m
	m = &mc
	// The language model loads while ONNX Runtime builds its session (issue 19: cold start).
	lmReady := startLM(cfg, m)
	eng, err := onnx.Open(m.Source+"/"+m.ONNXName, m.ONNX, onnx.Options{Threads: cfg.Threads, CacheDir: OptimisedCacheDir()})
	if err != nil {
		return nil, err
	}
	info := eng.Info()
	if err := Supported(m.Source+"/"+m.ONNXName, info); err != nil {
		eng.Close()
		return nil, err
	}
	m.Spec.ApplyMetadata(info.Metadata)
	if m.FeaturePreset == "" && info.Layout == onnx.TimeByFeatures {
		// icefall/k2/wenet CTC exports take Kaldi fbank frames as [N, T, 80] ("x", "x_lens").
		m.FeaturePreset = "kaldi"
	}
	if m.NMels == 0 && info.NumFeatures > 0 {
		m.NMels = info.NumFeatures // as sherpa-onnx does: the feature input's fixed dimension
	}
	m.Spec.Defaults()
	if m.Normalize != "" && m.Normalize != "per_feature" {
		eng.Close()
		return nil, fmt.Errorf("%s/%s: normalize_type %q is not supported (Hark does \"per_feature\" or none)", m.Source, m.ONNXName, m.Normalize)
	}
	blank := -1
	if m.BlankID != nil {
		blank = *m.BlankID
	}
	n := countLines(m.Tokens) // the tokens as the file lists them (before a blank is added)
	if info.VocabSize > 0 && n != info.VocabSize {
		eng.Close()
		return nil, fmt.Errorf("%s: has %d tokens but the model outputs %d values per frame", m.TokensName, n, info.VocabSize)
	}
	if v, err := strconv.Atoi(strings.TrimSpace(info.Metadata["vocab_size"])); err == nil && v > 0 {
		if n != v {
			eng.Close()
			return nil, fmt.Errorf("%s: has %d tokens but the model's metadata says vocab_size %d", m.TokensName, n, v)
		}
	}
	vocab, err := ctc.ReadTokensWithBlank(bytes.NewReader(m.Tokens), blank)
	if err != nil {
		eng.Close()
		return nil, fmt.Errorf("%s: %w", m.TokensName, err)
	}
	if info.VocabSize > 0 && info.VocabSize != vocab.Size() {
		eng.Close()
		return nil, fmt.Errorf("%s: has %d tokens but the model outputs %d values per frame", m.TokensName, vocab.Size(), info.VocabSize)
	}
	fc := FeatureConfig(m.Spec)
	if info.NumFeatures > 0 && info.NumFeatures != m.NMels {
		eng.Close()
		return nil, fmt.Errorf("%s: model takes %d features per frame but the model's settings say %d", m.Source, info.NumFeatures, m.NMels)
	}
	fe, err := features.New(fc)
	if err != nil {
		eng.Close()
		return nil, fmt.Errorf("%s: %w", m.Source, err)
	}
	rec, err := recognizer.New(eng, vocab, fe, m.SubsamplingFactor, cfg)
	if err != nil {
		eng.Close()
		return nil, fmt.Errorf("%s: %w", m.Source, err)
	}
	ld := &Loaded{Model: m, Engine: eng, Recognizer: rec}
	if err := ld.setDecoding(cfg, vocab, lmReady); err != nil {
		eng.Close()
		return nil, err
	}
	trace.Mark("lm-and-search")
	return ld, nil
}

// FeatureConfig is the front-end a model's settings ask for: NeMo's log-mel (with
// per-feature normalisation and pad_to when the spec says so) or Kaldi fbank on 16-bit-scaled
// samples, as sherpa-onnx feeds icefall/k2 models.
func FeatureConfig(s models.Spec) features.Config {
	fc := features.Config{NumMels: s.NMels, Normalize: s.Normalize == "per_feature", PadTo: s.PadTo}
	if s.FeaturePreset == "kaldi" {
		fc.Preset = features.Kaldi
		fc.ScaleInt16 = true
	}
	return fc
}

// countLines counts the non-blank lines of tokens.txt.
func countLines(b []byte) int {
	n := 0
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			n++
		}
	}
	return n
}

// Decoding defaults used when neither the caller nor the model's model.json sets them.
const (
	DefaultLMWeight  = 0.5
	DefaultWordBonus = 1.0
	// DefaultUnknownPenalty is charged (unweighted, natural log) once when a partial word
	// stops being the beginning of any word the language model knows.
	DefaultUnknownPenalty = -2.0
	// DefaultUnknownPerChar is charged (unweighted) for each character of a word the language
	// model does not know, as the word grows, so that gluing words into one unknown word is
	// never cheaper than leaving them apart. Chosen on the dev sets (models/README.md): native
	// read speech 79.8% → 74.3% WER, accented 51.5% → 48.7%, digits unchanged; with LM
	// look-ahead (charged as words grow, ctc.BeamConfig.LookAhead, always on with an LM) and
	// α/β re-tuned to 0.5/1.0: 72.3%, 45.4%, 3.0%.
	DefaultUnknownPerChar = -1.0
	// DefaultLMFile is the language model looked for in a model directory when model.json
	// names none (its "lm" field names another file in the directory).
	DefaultLMFile = "lm.bin"
)

// startLM starts loading the language model cfg asks for (the model's own by default) and
// returns a function that waits for it.
func startLM(cfg asr.Config, m *models.Model) func() (*lm.Model, string, error) {
	type result struct {
		m    *lm.Model
		name string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		var r result
		switch {
		case cfg.NoLM:
		case cfg.LM == "" && cfg.BeamWidth() == 1:
			// Greedy decoding uses no LM: the model's own is not loaded (9 MiB, ~15 ms).
		case cfg.LM != "":
			r.m, r.err = lm.Load(cfg.LM)
			r.name = cfg.LM
		default:
			r.m, r.name, r.err = modelLM(m)
		}
		ch <- r
	}()
	return func() (*lm.Model, string, error) {
		r := <-ch
		return r.m, r.name, r.err
	}
}

// setDecoding sets up the language model (from startLM) and hotwords of the beam search.
func (l *Loaded) setDecoding(cfg asr.Config, vocab *ctc.Vocabulary, lmReady func() (*lm.Model, string, error)) error {
	beam := ctc.BeamConfig{Beam: cfg.BeamWidth(), TokenTopK: cfg.TokenTopK}
	var err error
	l.LM, l.LMName, err = lmReady()
	if err != nil {
		return err
	}
	greedy := cfg.BeamWidth() == 1
	if l.LM != nil {
		beam.Scorer = lm.NewScorer(l.LM)
		beam.LMWeight, beam.WordBonus = DefaultLMWeight, DefaultWordBonus
		if d := l.Model.Decoding; d != nil {
			if d.LMWeight > 0 {
				beam.LMWeight = d.LMWeight
			}
			beam.WordBonus = d.WordBonus
		}
		if cfg.LMWeight != nil {
			beam.LMWeight = *cfg.LMWeight
		}
		if cfg.WordBonus != nil {
			beam.WordBonus = *cfg.WordBonus
		}
		beam.UnknownPenalty = DefaultUnknownPenalty
		beam.UnknownPerChar = DefaultUnknownPerChar
		beam.LookAhead = true
	}
	if greedy && !cfg.NoLM && (cfg.LM != "" || cfg.LMWeight != nil || cfg.WordBonus != nil) {
		l.Warnings = append(l.Warnings, "greedy decoding (beam 1) does not use the language model")
	}
	var phrases [][]int
	var boosts []float32
	if cfg.Commands && !greedy {
		// Built in: a phrase the vocabulary cannot spell is left out without a warning.
		p, b, _, err := vocab.ReadHotwords(strings.NewReader(text.CommandHotwords), "built-in command hotwords")
		if err == nil {
			phrases, boosts = p, b
		}
	}
	if cfg.Hotwords != "" {
		p, b, warns, err := vocab.ReadHotwordsFile(cfg.Hotwords)
		l.Warnings = append(l.Warnings, warns...)
		if err != nil {
			return err
		}
		phrases, boosts = append(phrases, p...), append(boosts, b...)
		if greedy {
			l.Warnings = append(l.Warnings, "greedy decoding (beam 1) does not use hotwords")
		}
	}
	if len(phrases) > 0 {
		hw, err := ctc.NewHotwords(phrases, boosts)
		if err != nil {
			return fmt.Errorf("%s: %w", cmp.Or(cfg.Hotwords, "built-in command hotwords"), err)
		}
		beam.Hotwords = hw
	}
	l.Beam = beam
	l.Recognizer.SetBeam(beam)
	return nil
}

// modelLM loads the language model that comes with a model, if any: the file model.json
// names in "lm", else lm.bin if present. It needs the model's files: a directory on disk,
// or a model that exposes them with an FS() fs.FS method.
func modelLM(m *models.Model) (*lm.Model, string, error) {
	var fsys fs.FS
	if f, ok := any(m).(interface{ FS() fs.FS }); ok {
		fsys = f.FS()
	} else if !strings.HasPrefix(m.Source, "embedded:") {
		fsys = os.DirFS(m.Source)
	}
	if fsys == nil {
		return nil, "", nil
	}
	name, named := DefaultLMFile, false
	if m.LM != "" {
		name, named = m.LM, true
	}
	label := strings.TrimSuffix(m.Source, "/") + "/" + name
	if !fs.ValidPath(name) {
		return nil, "", fmt.Errorf("%s/model.json: lm %q is not a file inside the model directory", strings.TrimSuffix(m.Source, "/"), name)
	}
	model, err := lm.LoadFS(fsys, name, m.Source)
	switch {
	case err == nil:
		return model, label, nil
	case errors.Is(err, fs.ErrNotExist) && !named:
		return nil, "", nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, "", fmt.Errorf("%s: language model named in model.json is missing", label)
	}
	return nil, "", err
}
