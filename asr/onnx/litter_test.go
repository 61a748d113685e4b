//go:build cgo

package onnx

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoLitter: loading ONNX Runtime and running a model writes nothing outside what Hark
// asks for. ONNX Runtime 1.30.0 and 1.31.1 write a device id and a telemetry database under
// ~/.cache/Microsoft and .ses / mat-debug-PID.log files in $TMPDIR on every start — no
// network, but not what a private recognizer may leave behind; the pinned library must not.
func TestNoLitter(t *testing.T) {
	if os.Getenv("HARK_LITTER_CHILD") == "1" {
		data, err := os.ReadFile(filepath.Join(fixtures, "tones-int8", "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		e, err := Open("tones-int8", data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		e.Close()
		return
	}
	requireORT(t)
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoLitter$")
	cmd.Env = append(os.Environ(), "HARK_LITTER_CHILD=1", "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "TMPDIR="+filepath.Join(home, "tmp"))
	if err := os.Mkdir(filepath.Join(home, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var left []string
	filepath.WalkDir(home, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, strings.TrimPrefix(p, home))
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("ONNX Runtime %s (%s) left %v", Version(), LibraryPath(), left)
	}
}
