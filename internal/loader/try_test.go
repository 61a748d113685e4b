package loader

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hark/models"
)

// issue 17: a model whose LM is missing, corrupt or outside its directory imported fine and
// then failed every transcription. The import's check decodes with the model's own LM.
func TestTryRefusesBadLM(t *testing.T) {
	for _, c := range []struct {
		lm, content, want string
	}{
		{"missing.bin", "", "missing"},
		{"lm.bin", "garbage", "not an ARPA"},
		{"../outside.bin", "", "not a file inside the model directory"},
	} {
		dir := t.TempDir()
		for _, f := range []string{"model.onnx", "tokens.txt", "model.json"} {
			b, err := os.ReadFile(filepath.Join("../../testdata/models/tones", f))
			if err != nil {
				t.Fatal(err)
			}
			if f == "model.json" {
				var spec map[string]any
				if err := json.Unmarshal(b, &spec); err != nil {
					t.Fatal(err)
				}
				spec["lm"] = c.lm
				b, _ = json.Marshal(spec)
			}
			os.WriteFile(filepath.Join(dir, f), b, 0o644)
		}
		if c.content != "" {
			os.WriteFile(filepath.Join(dir, c.lm), []byte(c.content), 0o644)
		}
		m, err := models.LoadDir(dir)
		if err == nil {
			_, err = Try(context.Background(), m, 1)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("lm %q: %v, want an error saying %q", c.lm, err, c.want)
		}
	}
}
