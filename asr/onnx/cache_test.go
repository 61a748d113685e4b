package onnx

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestOptimisedCache: the first Open writes the optimised model to the cache, the second loads
// it; both give the same log-probabilities bit for bit as an engine without the cache. A
// cache entry ONNX Runtime refuses is removed and the model loads as usual.
func TestOptimisedCache(t *testing.T) {
	requireORT(t)
	data, err := os.ReadFile(filepath.Join(fixtures, "tones-int8", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	feats := spelled([]int{7, 4, 11, 11, 14})
	run := func(opts Options) []float32 {
		t.Helper()
		e, err := Open("tones-int8", data, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		m, err := e.Run(context.Background(), feats)
		if err != nil {
			t.Fatal(err)
		}
		return m.Data
	}
	want := run(Options{})
	dir := t.TempDir()
	for i, label := range []string{"writing the cache", "from the cache"} {
		got := run(Options{CacheDir: dir})
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", label, len(got), len(want))
		}
		for j := range got {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
				t.Fatalf("%s: value %d is %v, without the cache %v", label, j, got[j], want[j])
			}
		}
		if m, _ := filepath.Glob(filepath.Join(dir, "*.optimised.onnx")); len(m) != 1 {
			t.Fatalf("after run %d the cache holds %v", i, m)
		}
	}
	p := optimisedPath(dir, data)
	if err := os.WriteFile(p, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := run(Options{CacheDir: dir})
	if len(got) != len(want) {
		t.Fatal("a broken cache entry broke loading")
	}
	if b, _ := os.ReadFile(p); string(b) == "garbage" {
		t.Error("the broken cache entry was kept")
	}
}
