package app

import (
	"path/filepath"
	"strings"
	"testing"

	"hark/models"
)

const importFixtures = "../testdata/models/import"

func TestModelPage(t *testing.T) {
	h := newHarness(t, nil)
	h.loaded()
	dir := t.TempDir()
	st := &models.Store{Dir: filepath.Join(dir, "models"), Settings: filepath.Join(dir, "models.json")}
	h.u.deps.Models = func() (*models.Store, error) { return st, nil }
	p, err := h.u.newModelPage()
	if err != nil {
		t.Fatal(err)
	}
	defer p.win.Close()
	runs := 0
	p.done = func() { runs++ }
	if len(p.entries) != 1 || !p.entries[0].Embedded || !strings.HasPrefix(p.rowText(p.entries[0]), "● default") {
		t.Fatalf("entries %+v", p.entries)
	}

	// A refused import shows one line and installs nothing.
	p.importPath(filepath.Join(importFixtures, "refuse", "transducer"), "")
	h.pump("refused import", func() bool { return runs == 1 })
	if !strings.Contains(p.status.Text, "Import failed") || !strings.Contains(p.status.Text, "transducer") || len(p.entries) != 1 {
		t.Fatalf("status %q, %d entries", p.status.Text, len(p.entries))
	}

	p.importPath(filepath.Join(importFixtures, "sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2"), "conf")
	if p.useBtn.Disabled() == false || !p.progress.Visible() {
		t.Error("buttons enabled or no progress while importing")
	}
	h.pump("import", func() bool { return runs == 2 })
	if !strings.Contains(p.status.Text, "Installed conf") || len(p.entries) != 2 || p.entries[1].Name != "conf" || p.progress.Visible() {
		t.Fatalf("status %q, entries %+v", p.status.Text, p.entries)
	}

	p.list.Select(1)
	h.pump("info", func() bool { return runs == 3 })
	for _, w := range []string{"Vocabulary: 29 tokens", "Features: nemo, 80 per frame", "real time", "Licence:"} {
		if !strings.Contains(p.details.Text, w) {
			t.Errorf("details lack %q: %q", w, p.details.Text)
		}
	}
	if p.rmBtn.Disabled() || p.useBtn.Disabled() {
		t.Error("use/remove disabled for an installed model")
	}
	p.useSelected()
	if h.u.currentModel() != "conf" || !strings.HasPrefix(p.rowText(p.entries[1]), "● conf") {
		t.Fatalf("use: setting %q", h.u.currentModel())
	}
	// One owner for the default model: the store, which the command line reads too; the
	// window's preferences do not keep the name.
	if d := st.DefaultModel(); d != "conf" {
		t.Errorf("store default %q after Use, want conf", d)
	}
	if got := LoadSettings(h.u.app.Preferences()).ModelDir; got != "" {
		t.Errorf("preferences keep the model %q", got)
	}
	h.pump("reload", func() bool { return strings.Contains(h.u.status.Text, "Model fake") })

	p.list.Select(0)
	if !p.rmBtn.Disabled() {
		t.Error("remove enabled for the embedded model")
	}
	p.remove("conf")
	if len(p.entries) != 1 || h.u.currentModel() != "" || st.Has("conf") {
		t.Fatalf("after remove: %+v, setting %q", p.entries, h.u.currentModel())
	}
	h.pump("reload", func() bool { return strings.Contains(h.u.status.Text, "Model fake") })
}
