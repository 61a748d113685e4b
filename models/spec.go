package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
)

// Spec is the content of model.json: how to feed a model and read its output. Fields left
// zero are filled from the ONNX model's metadata or from defaults.
type Spec struct {
	Name              string `json:"name"`
	Description       string `json:"description,omitempty"`
	SampleRate        int    `json:"sample_rate"`
	FeaturePreset     string `json:"feature_preset"` // "nemo" or "kaldi"
	NMels             int    `json:"n_mels"`
	SubsamplingFactor int    `json:"subsampling_factor"`
	BlankID           *int   `json:"blank_id,omitempty"`
	Vocabulary        string `json:"vocabulary,omitempty"` // "char" or "bpe"
	Normalize         string `json:"normalize"`            // "" or "per_feature"
	PadTo             int    `json:"pad_to,omitempty"`
	License           string `json:"license,omitempty"`
	// LM names the model's language model, a file in its directory ("" means lm.bin if
	// there is one).
	LM       string `json:"lm,omitempty"`
	Decoding *struct {
		LMWeight  float64 `json:"lm_weight"`
		WordBonus float64 `json:"word_bonus"`
	} `json:"decoding,omitempty"`
}

// Model is a loaded model directory.
type Model struct {
	Spec
	Source     string // directory path, or "embedded:NAME"
	ONNX       []byte
	ONNXName   string // file name of the ONNX model inside the directory
	Tokens     []byte
	TokensName string

	fsys fs.FS // the directory's files (a language model beside the model is read from here)
}

// FS returns the model directory's files (embedded or on disk).
func (m *Model) FS() fs.FS { return m.fsys }

// Error reports a model directory or file that Hark cannot use.
type Error struct {
	Path string
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Path + ": " + e.Msg + ": " + e.Err.Error()
	}
	return e.Path + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// ONNX file names tried in order.
var onnxNames = []string{"model.onnx", "model.int8.onnx"}

// Load reads a model directory from fsys; label names it in errors (its path).
func Load(fsys fs.FS, label string) (*Model, error) {
	m := &Model{Source: label, fsys: fsys}
	join := func(n string) string { return strings.TrimSuffix(label, "/") + "/" + n }
	for _, n := range onnxNames {
		b, err := fs.ReadFile(fsys, n)
		if err == nil {
			m.ONNX, m.ONNXName = b, n
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, &Error{Path: join(n), Msg: "cannot read model", Err: err}
		}
	}
	if m.ONNX == nil {
		return nil, &Error{Path: label, Msg: "no model.onnx (or model.int8.onnx) in the model directory"}
	}
	b, err := fs.ReadFile(fsys, "tokens.txt")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &Error{Path: label, Msg: "no tokens.txt in the model directory"}
		}
		return nil, &Error{Path: join("tokens.txt"), Msg: "cannot read", Err: err}
	}
	m.Tokens, m.TokensName = b, join("tokens.txt")
	b, err = fs.ReadFile(fsys, "model.json")
	switch {
	case err == nil:
		if m.Spec, err = ParseSpec(bytes.NewReader(b)); err != nil {
			return nil, &Error{Path: join("model.json"), Msg: "invalid", Err: err}
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return nil, &Error{Path: join("model.json"), Msg: "cannot read", Err: err}
	}
	return m, nil
}

// ParseSpec decodes and checks model.json.
func ParseSpec(r io.Reader) (Spec, error) {
	var s Spec
	dec := json.NewDecoder(r)
	if err := dec.Decode(&s); err != nil {
		return Spec{}, err
	}
	return s, s.check()
}

// Bounds on model.json's numbers (and the same values from ONNX metadata): generous for any
// real CTC model, small enough that no value can make Hark allocate without limit.
const (
	maxNMels       = 512
	maxSubsampling = 64
	maxPadTo       = 64 // NeMo pads to 16
	maxBlankID     = 1 << 20
)

func (s Spec) check() error {
	switch {
	case s.SampleRate != 0 && s.SampleRate != 16000:
		return fmt.Errorf("sample_rate %d: Hark models run at 16000 Hz", s.SampleRate)
	case s.FeaturePreset != "" && s.FeaturePreset != "nemo" && s.FeaturePreset != "kaldi":
		return fmt.Errorf("feature_preset %q: want \"nemo\" or \"kaldi\"", s.FeaturePreset)
	case s.NMels < 0 || s.NMels > maxNMels:
		return fmt.Errorf("n_mels %d out of range 0..%d", s.NMels, maxNMels)
	case s.SubsamplingFactor < 0 || s.SubsamplingFactor > maxSubsampling:
		return fmt.Errorf("subsampling_factor %d out of range 0..%d", s.SubsamplingFactor, maxSubsampling)
	case s.PadTo < 0 || s.PadTo > maxPadTo:
		return fmt.Errorf("pad_to %d out of range 0..%d", s.PadTo, maxPadTo)
	case s.Normalize != "" && s.Normalize != "per_feature":
		return fmt.Errorf("normalize %q: want \"\" or \"per_feature\"", s.Normalize)
	case s.BlankID != nil && (*s.BlankID < 0 || *s.BlankID > maxBlankID):
		return fmt.Errorf("blank_id %d out of range 0..%d", *s.BlankID, maxBlankID)
	case s.Decoding != nil && !(s.Decoding.LMWeight >= 0 && s.Decoding.LMWeight <= 10):
		return fmt.Errorf("decoding.lm_weight %v out of range 0..10", s.Decoding.LMWeight)
	case s.Decoding != nil && !(s.Decoding.WordBonus >= -100 && s.Decoding.WordBonus <= 100):
		return fmt.Errorf("decoding.word_bonus %v out of range -100..100", s.Decoding.WordBonus)
	}
	return nil
}

// ApplyMetadata fills fields model.json left empty from ONNX custom metadata in the
// sherpa-onnx / NeMo convention (vocab_size, subsampling_factor, normalize_type, ...).
func (s *Spec) ApplyMetadata(md map[string]string) {
	atoi := func(k string) (int, bool) {
		v, err := strconv.Atoi(strings.TrimSpace(md[k]))
		return v, err == nil
	}
	if s.Name == "" {
		s.Name = md["model_name"]
	}
	if s.SubsamplingFactor == 0 {
		if v, ok := atoi("subsampling_factor"); ok && v > 0 && v <= maxSubsampling {
			s.SubsamplingFactor = v
		}
	}
	if s.NMels == 0 {
		if v, ok := atoi("n_mels"); ok && v > 0 && v <= maxNMels {
			s.NMels = v
		}
	}
	if s.FeaturePreset == "" {
		s.FeaturePreset = md["feature_preset"]
	}
	if _, ok := md["normalize_type"]; ok && s.Normalize == "" {
		s.Normalize = md["normalize_type"]
	}
	if s.BlankID == nil {
		if v, ok := atoi("blank_id"); ok && v >= 0 && v <= maxBlankID {
			s.BlankID = &v
		}
	}
	if s.License == "" {
		s.License = md["license"]
	}
}

// Defaults fills what is still unknown with the NeMo conventions.
func (s *Spec) Defaults() {
	if s.SampleRate == 0 {
		s.SampleRate = 16000
	}
	if s.FeaturePreset == "" {
		s.FeaturePreset = "nemo"
	}
	if s.NMels == 0 {
		s.NMels = 80
	}
	if s.SubsamplingFactor == 0 {
		s.SubsamplingFactor = 4
	}
}
