package loader

import (
	"os"
	"path/filepath"
	"testing"

	"hark/asr"
	"hark/models"
)

// issue 17: "comma" came out as "come" every time. Live dictation biases the search towards
// the spoken commands (asr.Config.Commands): built-in hotwords, merged with the user's.
func TestCommandHotwords(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	user := filepath.Join(t.TempDir(), "hot.txt")
	if err := os.WriteFile(user, []byte("hark:3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		cfg  asr.Config
		want bool
	}{
		{"batch", asr.Config{}, false},
		{"dictation", asr.Config{Commands: true}, true},
		{"dictation, greedy", asr.Config{Commands: true, Beam: 1}, false},
		{"dictation and the user's", asr.Config{Commands: true, Hotwords: user}, true},
	} {
		ld, err := Load(m, c.cfg)
		if err != nil {
			t.Fatal(c.name, err)
		}
		hw := ld.Beam.Hotwords
		ld.Close()
		if (hw != nil) != c.want {
			t.Errorf("%s: hotwords %v, want them %v", c.name, hw != nil, c.want)
		}
	}
}
