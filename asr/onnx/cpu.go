package onnx

import (
	"bufio"
	"os"
	"strings"
	"sync"
)

// int8Flags are the CPU features that choose ONNX Runtime's int8 matrix kernels on x86-64.
var int8Flags = []string{"avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8"}

// CPU describes the processor as far as int8 inference cares.
type CPU struct {
	Model string   // "model name" from /proc/cpuinfo, "" where unknown
	Flags []string // those of avx2, avx512f, avx512_vnni, avx_vnni, amx_int8 it has
}

func (c CPU) String() string {
	m := c.Model
	if m == "" {
		m = "unknown CPU"
	}
	if len(c.Flags) == 0 {
		return m + " (no AVX2/AVX-512/VNNI/AMX int8 features)"
	}
	return m + " (" + strings.Join(c.Flags, " ") + ")"
}

// ReadCPU reads the processor's model and int8-relevant features from /proc/cpuinfo (Linux);
// elsewhere it returns an empty CPU.
// The result is read once per process (it keys every cache entry and the self-check).
func ReadCPU() CPU { return readCPUOnce() }

var readCPUOnce = sync.OnceValue(func() CPU { return parseCPUInfo("/proc/cpuinfo") })

func parseCPUInfo(path string) CPU {
	var c CPU
	f, err := os.Open(path)
	if err != nil {
		return c
	}
	defer f.Close()
	have := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name":
			if c.Model == "" {
				c.Model = strings.Join(strings.Fields(v), " ")
			}
		case "flags":
			if len(have) == 0 {
				for _, fl := range strings.Fields(v) {
					have[fl] = true
				}
			}
		}
	}
	for _, fl := range int8Flags {
		if have[fl] {
			c.Flags = append(c.Flags, fl)
		}
	}
	return c
}
