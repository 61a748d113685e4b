//go:build cgo

package onnx

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"syscall"
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
	good, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// Damaged entries: garbage; two bytes changed in the middle (ONNX Runtime loads that and
	// computes wrong values — the hostile sweep saw "Hpllo world."); a FIFO (must not hang).
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x55
	flipped[len(flipped)/2+1] ^= 0x55
	for _, damage := range []func(){
		func() { os.WriteFile(p, []byte("garbage"), 0o600) },
		func() { os.WriteFile(p, flipped, 0o600) },
		func() { os.Remove(p); syscall.Mkfifo(p, 0o600) },
	} {
		damage()
		got := run(Options{CacheDir: dir})
		for j := range got {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
				t.Fatalf("with a damaged cache entry, value %d is %v, want %v", j, got[j], want[j])
			}
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != string(good) {
			t.Errorf("the damaged entry was not replaced by a good one (%v)", err)
		}
	}
}
