package onnx

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
)

// LibraryEnv names the environment variable that points at libonnxruntime.so.
const LibraryEnv = "HARK_ORT_LIB"

// ErrNoLibrary is returned when no ONNX Runtime shared library can be found.
var ErrNoLibrary = errors.New("ONNX Runtime library not found")

var (
	initOnce sync.Once
	initErr  error
	initPath string
)

// LibraryCandidates lists, in order, where Hark looks for the ONNX Runtime library:
// $HARK_ORT_LIB, next to the executable, the project-local copy made by scripts/setup.sh
// (relative to the executable and to the working directory), then the system's.
func LibraryCandidates() []string {
	var c []string
	if p := os.Getenv(LibraryEnv); p != "" {
		return []string{p}
	}
	const name = "libonnxruntime.so.1"
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		dir := filepath.Dir(exe)
		c = append(c,
			filepath.Join(dir, name),
			filepath.Join(dir, "lib", name),
			filepath.Join(dir, "..", "lib", "hark", name),
			filepath.Join(dir, "..", ".deps", "onnxruntime", name))
	}
	// The working directory and its parents: a source checkout (and its tests) finds the copy
	// that scripts/setup.sh put in .deps/.
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			c = append(c, filepath.Join(d, ".deps", "onnxruntime", name))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range []string{"/usr/local/lib", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu"} {
		c = append(c, filepath.Join(d, name), filepath.Join(d, "libonnxruntime.so"))
	}
	return c
}
