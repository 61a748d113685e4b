//go:build cgo

package onnx

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInt8SelfCheckPasses runs the built-in int8 graph on this CPU with one and two threads:
// the ONNX Runtime that scripts/setup.sh pins must compute exact products here.
func TestInt8SelfCheckPasses(t *testing.T) {
	requireORT(t)
	t.Logf("ONNX Runtime %s on %s", Version(), ReadCPU())
	for _, threads := range []int{1, 2} {
		if err := runInt8Check(threads, false); err != nil {
			t.Fatalf("%d threads: %v", threads, err)
		}
	}
	if err := CheckInt8(1); err != nil {
		t.Fatal(err)
	}
}

// TestInt8SelfCheckCatchesWrongProduct gives ONNX Runtime a graph whose weights differ from the
// ones the Go reference multiplies by (a deliberately wrong product): the check must fail with
// one line that names the library, its version, the CPU and the way out.
func TestInt8SelfCheckCatchesWrongProduct(t *testing.T) {
	requireORT(t)
	err := runInt8Check(1, true)
	var ce *Int8CheckError
	if !errors.As(err, &ce) || !errors.Is(err, ErrInt8) {
		t.Fatalf("corrupted product: got %v, want an *Int8CheckError", err)
	}
	msg := err.Error()
	for _, want := range []string{"ONNX Runtime " + Version(), LibraryPath(), "wrong int8 results", LibraryEnv, "make deps", ce.Case} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("message is more than one line: %q", msg)
	}
	if ce.Wrong == 0 || ce.Got == ce.Want {
		t.Errorf("error names no wrong element: %+v", ce)
	}
}

// TestVerifyInt8 checks the comparison itself: exact outputs pass; one element off by one
// quantum, a garbled row, or a missing output fail and name the first wrong element.
func TestVerifyInt8(t *testing.T) {
	ps := int8Problems()
	exact := func() [][]float32 {
		got := make([][]float32, len(ps))
		for i, p := range ps {
			got[i] = make([]float32, len(p.want))
			for j, v := range p.want {
				got[i][j] = float32(v)
			}
		}
		return got
	}
	if err := verifyInt8(ps, exact()); err != nil {
		t.Fatalf("exact products rejected: %v", err)
	}
	got := exact()
	p := ps[2]
	got[2][3*p.N+5] += int8XScale * p.scale[5] // one integer unit
	err := verifyInt8(ps, got)
	var ce *Int8CheckError
	if !errors.As(err, &ce) || ce.Row != 3 || ce.Col != 5 || ce.Wrong != 1 || ce.Case != p.String() {
		t.Fatalf("one unit off: got %+v", err)
	}
	got = exact()
	for n := 0; n < ps[0].N; n++ {
		got[0][n] = -got[0][n] + 1
	}
	if err := verifyInt8(ps, got); !errors.As(err, &ce) || ce.Wrong < ps[0].N/2 {
		t.Fatalf("garbled row: got %v", err)
	}
	got = exact()
	got[4] = got[4][:1]
	if err := verifyInt8(ps, got); err == nil {
		t.Fatal("short output accepted")
	}
}

// TestInt8ProblemsExact checks the premise of the check: the reference products are exactly
// representable in float32, so exact kernels give them bit for bit.
func TestInt8ProblemsExact(t *testing.T) {
	for _, p := range int8Problems() {
		for j, v := range p.want {
			if float64(float32(v)) != v {
				t.Fatalf("%s element %d: %v is not exact in float32", p, j, v)
			}
		}
	}
}

func TestQuantised(t *testing.T) {
	for _, c := range []struct {
		file string
		want bool
	}{{"tones-int8/model.onnx", true}, {"tones/model.onnx", false}} {
		b, err := os.ReadFile(filepath.Join(fixtures, c.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := quantised(b); got != c.want {
			t.Errorf("%s: quantised %v, want %v", c.file, got, c.want)
		}
	}
	if quantised(int8Graph(int8Problems(), false)) != true {
		t.Error("the self-check graph is not seen as quantised")
	}
}

func TestParseCPUInfo(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cpuinfo")
	const info = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R)  Platinum 8480+\nflags\t\t: fpu avx2 avx512f avx512_vnni amx_int8 amx_tile\n\nprocessor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n"
	if err := os.WriteFile(p, []byte(info), 0o644); err != nil {
		t.Fatal(err)
	}
	c := parseCPUInfo(p)
	if c.String() != "Intel(R) Xeon(R) Platinum 8480+ (avx2 avx512f avx512_vnni amx_int8)" {
		t.Fatalf("got %q", c)
	}
	if c := parseCPUInfo(filepath.Join(dir, "missing")); c.String() != "unknown CPU (no AVX2/AVX-512/VNNI/AMX int8 features)" {
		t.Fatalf("missing file: %q", c)
	}
}

// TestInt8CheckRemembered: with a cache directory, a passed self-check is recorded per library,
// CPU and thread count, and not run again; without one nothing is written.
func TestInt8CheckRemembered(t *testing.T) {
	requireORT(t)
	dir := t.TempDir()
	if int8Passed(dir, 1) {
		t.Fatal("passed before any check")
	}
	data, err := os.ReadFile(filepath.Join(fixtures, "tones-int8", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Open("tones-int8", data, Options{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	if !int8Passed(dir, 1) || int8Passed(dir, 2) {
		t.Fatalf("marker for 1 thread %v, for 2 threads %v; want true, false", int8Passed(dir, 1), int8Passed(dir, 2))
	}
	if int8Passed("", 1) || int8Marker("", 1) != "" {
		t.Fatal("no cache directory still remembered")
	}
}
