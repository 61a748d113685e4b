package models

import (
	"strings"
	"testing"
)

// issue 17: model.json numbers had no sane bounds — pad_to 2000000000 ran `models import` and
// `transcribe` out of memory (leaving .import-NNN/ in the store), pad_to 1000000 made a 2.8 s
// clip take 955 MB. Each is refused with one line naming the field.
func TestParseSpecBounds(t *testing.T) {
	for in, want := range map[string]string{
		`{"pad_to": 2000000000}`:          "pad_to 2000000000",
		`{"pad_to": 1000000}`:             "pad_to 1000000",
		`{"pad_to": -1}`:                  "pad_to -1",
		`{"n_mels": 100000}`:              "n_mels 100000",
		`{"n_mels": -3}`:                  "n_mels -3",
		`{"subsampling_factor": 1000}`:    "subsampling_factor 1000",
		`{"blank_id": 9999999}`:           "blank_id 9999999",
		`{"blank_id": -2}`:                "blank_id -2",
		`{"sample_rate": 8000}`:           "sample_rate 8000",
		`{"decoding": {"lm_weight": -1}}`: "lm_weight -1",
	} {
		_, err := ParseSpec(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want an error naming %q", in, err, want)
		}
	}
	for _, in := range []string{`{}`, `{"pad_to": 16, "n_mels": 80, "subsampling_factor": 8, "blank_id": 1024}`, `{"pad_to": 0}`} {
		if _, err := ParseSpec(strings.NewReader(in)); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	// Values from the ONNX model's metadata are bounded the same way.
	var s Spec
	s.ApplyMetadata(map[string]string{"subsampling_factor": "100000", "n_mels": "99999", "blank_id": "77777777"})
	if s.SubsamplingFactor != 0 || s.NMels != 0 || s.BlankID != nil {
		t.Errorf("metadata out of range was taken: %+v", s)
	}
}

// FuzzParseSpec: any model.json is accepted within the bounds or refused with one line.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{`{}`, `{"pad_to": 16, "n_mels": 80}`, `{"blank_id": -1}`, `{"decoding": {"lm_weight": 1e309}}`, `[`, `{"pad_to": 2000000000}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSpec(strings.NewReader(in))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		if s.PadTo < 0 || s.PadTo > maxPadTo || s.NMels < 0 || s.NMels > maxNMels || s.SubsamplingFactor < 0 || s.SubsamplingFactor > maxSubsampling {
			t.Fatalf("out of bounds accepted: %+v", s)
		}
	})
}
