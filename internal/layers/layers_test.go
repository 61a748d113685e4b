package layers

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// layer ranks a package: a package may import packages of its own layer or lower ones.
func layer(pkg string) (int, string) {
	switch {
	case pkg == "hark" || pkg == "hark/app" || strings.HasPrefix(pkg, "hark/internal/cli"):
		return 4, "front-end"
	case pkg == "hark/speech" || pkg == "hark/internal/live" || pkg == "hark/internal/loader" || strings.HasPrefix(pkg, "hark/app/"):
		return 3, "wiring and desktop adapters"
	case strings.HasPrefix(pkg, "hark/dictation"):
		return 2, "dictation core"
	case pkg == "hark/asr/onnx" || pkg == "hark/audio/portaudio" || pkg == "hark/models" || strings.HasPrefix(pkg, "hark/models/"):
		return 1, "engine, capture and model adapters"
	}
	return 0, "domain"
}

func TestNoArrowUp(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ctx := build.Default
	ctx.CgoEnabled = true
	var checked int
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "shared") {
			return filepath.SkipDir
		}
		p, err := ctx.ImportDir(path, 0)
		if err != nil {
			return nil // no Go files here
		}
		rel, _ := filepath.Rel(root, path)
		pkg := "hark"
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		from, fromName := layer(pkg)
		for _, imp := range p.Imports { // not the tests: they may reach up to drive the whole
			if imp != "hark" && !strings.HasPrefix(imp, "hark/") {
				continue
			}
			if to, toName := layer(imp); to > from {
				t.Errorf("%s (%s) imports %s (%s): an arrow up", pkg, fromName, imp, toName)
			}
			if strings.HasPrefix(imp, "hark/app") && !strings.HasPrefix(pkg, "hark/app") && pkg != "hark" {
				t.Errorf("%s imports the window's %s", pkg, imp)
			}
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 30 {
		t.Fatalf("checked only %d packages", checked)
	}
}

// The dictation core and the domain are plain Go: no cgo adapter below them.
func TestCoreIsPureGo(t *testing.T) {
	root, _ := filepath.Abs("../..")
	for _, dir := range []string{"dictation", "dictation/history", "asr", "asr/ctc", "asr/features", "asr/lm", "asr/text", "asr/stream", "audio", "audio/wav"} {
		p, err := build.Default.ImportDir(filepath.Join(root, dir), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range p.Imports {
			if slices.Contains([]string{"C", "hark/asr/onnx", "hark/audio/portaudio"}, imp) || strings.HasPrefix(imp, "fyne.io/") {
				t.Errorf("%s imports %s", dir, imp)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
}
