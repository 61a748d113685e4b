//go:build cgo

package onnx

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// The int8 self-check. Some ONNX Runtime builds compute wrong int8 matrix products on some
// CPUs (1.24.1 on Intel Xeons with AVX-512 VNNI / AMX: stray letters that change from run to
// run). Before the first session of a quantised model, Hark runs a tiny built-in graph made of
// the same nodes as Hark's int8 export (DynamicQuantizeLinear → MatMulInteger → Cast → Mul by
// per-column scales), on shapes like the model's, and compares every output with the product
// computed in Go. The inputs are chosen so that the exact answer is representable: activations
// are integers times 2⁻⁶ spanning [-128, 127] (so the dynamic quantisation is exact) and the
// scales are powers of two, so any difference is a wrong product, not rounding.

// ErrInt8 is wrapped by the error returned when the int8 self-check fails.
var ErrInt8 = errors.New("wrong int8 results")

// Int8CheckError says that the loaded ONNX Runtime computes wrong int8 products on this CPU.
type Int8CheckError struct {
	Version string // ONNX Runtime version
	Library string // its path
	CPU     CPU
	Case    string  // which product, e.g. "[50×144]·[144×29]"
	Row     int     // first wrong element
	Col     int     //
	Got     float64 // what ONNX Runtime gave
	Want    float64 // the exact product
	Wrong   int     // how many elements of that product were wrong
}

func (e *Int8CheckError) Error() string {
	return fmt.Sprintf("ONNX Runtime %s (%s) gives wrong int8 results on this CPU, %s: self-check product %s has %d wrong elements (element %d,%d is %g, exactly %g); Hark will not run an int8 model with it, the text would be garbled. Use ONNX Runtime 1.25.1 or newer: run `make deps` in the Hark source tree, or set %s to such a libonnxruntime.so.1",
		e.Version, e.Library, e.CPU, e.Case, e.Wrong, e.Row, e.Col, e.Got, e.Want, LibraryEnv)
}

func (e *Int8CheckError) Unwrap() error { return ErrInt8 }

// int8Case is one product of the self-check: X [M, K] times int8 W [K, N] with column scales.
type int8Case struct{ M, K, N int }

// int8Cases have the model's shapes (feature width 80, model width 144, feed-forward 576,
// 29 output symbols), several N that are not multiples of 16, and one single-row product.
var int8Cases = []int8Case{
	{50, 144, 576},
	{50, 576, 144},
	{50, 144, 29},
	{7, 80, 37},
	{1, 512, 29},
}

func (c int8Case) String() string { return fmt.Sprintf("[%d×%d]·[%d×%d]", c.M, c.K, c.K, c.N) }

// int8Problem holds one case's data and its exact answer.
type int8Problem struct {
	int8Case
	x     []float32 // [M, K], integers times 2⁻⁶
	w     []int8    // [K, N]
	scale []float32 // [N], powers of two
	want  []float64 // [M, N]
}

const int8XScale = 1.0 / 64

func newInt8Problem(c int8Case, rng *rand.Rand) int8Problem {
	p := int8Problem{int8Case: c, x: make([]float32, c.M*c.K), w: make([]int8, c.K*c.N), scale: make([]float32, c.N)}
	xi := make([]int, len(p.x))
	for i := range xi {
		xi[i] = rng.IntN(256) - 128
	}
	// Both ends of the range appear, so DynamicQuantizeLinear's scale is exactly 2⁻⁶ and its
	// zero point exactly 128.
	xi[0], xi[len(xi)-1] = -128, 127
	for i, v := range xi {
		p.x[i] = float32(v) * int8XScale
	}
	// Weights within ±63: x86-64 CPUs without VNNI multiply u8×s8 with an instruction that
	// saturates the sum of two products at 16 bits, a documented loss of precision of those
	// kernels (not the garbage this check is for); 255·63·2 < 32,767 keeps every pair exact.
	for i := range p.w {
		p.w[i] = int8(rng.IntN(127) - 63)
	}
	for n := range p.scale {
		p.scale[n] = float32(math.Ldexp(1, -5-n%4))
	}
	p.want = make([]float64, c.M*c.N)
	for m := 0; m < c.M; m++ {
		for n := 0; n < c.N; n++ {
			var s int64
			for k := 0; k < c.K; k++ {
				s += int64(xi[m*c.K+k]) * int64(p.w[k*c.N+n])
			}
			p.want[m*c.N+n] = float64(s) * int8XScale * float64(p.scale[n])
		}
	}
	return p
}

// int8Problems returns the self-check's fixed problems (seeded, the same in every process).
func int8Problems() []int8Problem {
	rng := rand.New(rand.NewPCG(15, 2026))
	ps := make([]int8Problem, len(int8Cases))
	for i, c := range int8Cases {
		ps[i] = newInt8Problem(c, rng)
	}
	return ps
}

// int8Graph builds the ONNX graph of the problems: input xI [1, M, K] → DynamicQuantizeLinear →
// MatMulInteger with wI → Cast → Mul(x_scale · scaleI) → output yI [1, M, N], exactly as the
// export writes a quantised MatMul. With corrupt set, one weight in the graph differs from
// the problem's (a deliberately wrong product, for tests).
func int8Graph(ps []int8Problem, corrupt bool) []byte {
	var nodes, inits, ins, outs [][]byte
	inits = append(inits, onnxTensor("wzp", onnxInt8, nil, []byte{0}))
	for i, p := range ps {
		s := func(n string) string { return fmt.Sprintf("%s%d", n, i) }
		w := p.w
		if corrupt && i == len(ps)/2 {
			w = append([]int8(nil), w...)
			w[len(w)/3] ^= 0x21
		}
		inits = append(inits,
			onnxTensor(s("w"), onnxInt8, []int64{int64(p.K), int64(p.N)}, int8Raw(w)),
			onnxTensor(s("ws"), onnxFloat, []int64{int64(p.N)}, float32Raw(p.scale)))
		nodes = append(nodes,
			onnxNode("DynamicQuantizeLinear", s("dql"), []string{s("x")}, []string{s("xq"), s("xs"), s("xzp")}),
			onnxNode("MatMulInteger", s("mmi"), []string{s("xq"), s("w"), s("xzp"), "wzp"}, []string{s("y32")}),
			onnxNode("Cast", s("cast"), []string{s("y32")}, []string{s("yf")}, intAttr{"to", onnxFloat}),
			onnxNode("Mul", s("scale"), []string{s("xs"), s("ws")}, []string{s("s")}),
			onnxNode("Mul", s("mul"), []string{s("yf"), s("s")}, []string{s("y")}))
		ins = append(ins, onnxValueInfo(s("x"), onnxFloat, []int64{1, int64(p.M), int64(p.K)}))
		outs = append(outs, onnxValueInfo(s("y"), onnxFloat, []int64{1, int64(p.M), int64(p.N)}))
	}
	return onnxModel("hark-int8-selfcheck", nodes, inits, ins, outs)
}

// verifyInt8 compares ONNX Runtime's outputs (one [M·N] slice per problem) with the exact
// products. An element is wrong when it is off by half a quantum of its column or more, that
// is when the integer product ONNX Runtime computed is not the exact one.
func verifyInt8(ps []int8Problem, got [][]float32) error {
	for i, p := range ps {
		if len(got[i]) != len(p.want) {
			return &Int8CheckError{Case: p.String(), Wrong: len(p.want)}
		}
		var first *Int8CheckError
		for j, want := range p.want {
			n := j % p.N
			tol := 0.5 * int8XScale * float64(p.scale[n])
			g := float64(got[i][j])
			if math.Abs(g-want) < tol {
				continue
			}
			if first == nil {
				first = &Int8CheckError{Case: p.String(), Row: j / p.N, Col: n, Got: g, Want: want}
			}
			first.Wrong++
		}
		if first != nil {
			return first
		}
	}
	return nil
}

// runInt8Check runs the self-check graph with the given intra-op threads; with corrupt set the
// graph's weights differ from the reference's (for tests).
func runInt8Check(threads int, corrupt bool) error {
	if err := Init(); err != nil {
		return err
	}
	ps := int8Problems()
	so, err := sessionOptions("int8 self-check", threads)
	if err != nil {
		return err
	}
	defer so.Destroy()
	var inNames, outNames []string
	for i := range ps {
		inNames = append(inNames, fmt.Sprintf("x%d", i))
		outNames = append(outNames, fmt.Sprintf("y%d", i))
	}
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(int8Graph(ps, corrupt), inNames, outNames, so)
	if err != nil {
		return fmt.Errorf("int8 self-check: ONNX Runtime %s cannot load its graph: %s", ort.GetVersion(), firstLine(err.Error()))
	}
	defer sess.Destroy()
	ins := make([]ort.Value, len(ps))
	for i, p := range ps {
		t, err := ort.NewTensor(ort.NewShape(1, int64(p.M), int64(p.K)), p.x)
		if err != nil {
			return fmt.Errorf("int8 self-check: %w", err)
		}
		defer t.Destroy()
		ins[i] = t
	}
	outs := make([]ort.Value, len(ps))
	if err := sess.Run(ins, outs); err != nil {
		return fmt.Errorf("int8 self-check: ONNX Runtime %s cannot run its graph: %s", ort.GetVersion(), firstLine(err.Error()))
	}
	got := make([][]float32, len(ps))
	for i, o := range outs {
		defer o.Destroy()
		t, ok := o.(*ort.Tensor[float32])
		if !ok {
			return fmt.Errorf("int8 self-check: output %d is not a float32 tensor", i)
		}
		got[i] = t.GetData()
	}
	if err := verifyInt8(ps, got); err != nil {
		var ce *Int8CheckError
		if errors.As(err, &ce) {
			ce.Version, ce.Library, ce.CPU = ort.GetVersion(), LibraryPath(), ReadCPU()
		}
		return err
	}
	return nil
}

var (
	int8Mu      sync.Mutex
	int8Results = map[int]error{} // by intra-op thread count
)

// CheckInt8 runs the int8 self-check once per process and thread count and returns its result:
// nil when ONNX Runtime's int8 products are exact on this CPU, an *Int8CheckError when not.
// Open calls it before the first session of a quantised model. (ONNX Runtime's 16-bit
// "session.x64quantprecision" mode is no way out: 1.31.1 cannot load a graph whose MatMulInteger
// nodes share one weight zero point, as Hark's export writes them.)
func CheckInt8(threads int) error {
	if threads <= 0 {
		threads = 1
	}
	int8Mu.Lock()
	defer int8Mu.Unlock()
	if err, ok := int8Results[threads]; ok {
		return err
	}
	err := runInt8Check(threads, false)
	int8Results[threads] = err
	return err
}

// quantised reports whether a model uses ONNX's integer operators (what the self-check covers).
func quantised(data []byte) bool {
	for _, op := range []string{"MatMulInteger", "DynamicQuantizeLinear", "ConvInteger", "QLinearMatMul", "DynamicQuantizeMatMul", "MatMulIntegerToFloat"} {
		if bytes.Contains(data, []byte(op)) {
			return true
		}
	}
	return false
}

// int8Marker is the cache file that records a passed self-check for this library (path, size,
// modification time), ONNX Runtime version, CPU and thread count: the check then costs
// nothing on later starts. A failed check is never recorded.
func int8Marker(dir string, threads int) string {
	if dir == "" {
		return ""
	}
	lib := LibraryPath()
	fi, err := os.Stat(lib)
	if err != nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00%s\x00%s\x00%d\x00v1", lib, fi.Size(), fi.ModTime().UnixNano(), ort.GetVersion(), ReadCPU(), threads)
	return filepath.Join(dir, fmt.Sprintf("%x.int8-ok", h.Sum(nil)[:16]))
}

func int8Passed(dir string, threads int) bool {
	p := int8Marker(dir, threads)
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err == nil
}

func markInt8Passed(dir string, threads int) {
	if p := int8Marker(dir, threads); p != "" {
		if os.MkdirAll(dir, 0o700) == nil {
			_ = os.WriteFile(p, []byte("ONNX Runtime int8 self-check passed\n"), 0o600)
		}
	}
}
