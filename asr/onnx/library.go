package onnx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
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

// Init loads the ONNX Runtime library once per process. It is called by Open; calling it
// first lets a program report a missing library before doing other work.
func Init() error {
	initOnce.Do(func() {
		const name = "libonnxruntime.so.1"
		cands := LibraryCandidates()
		var tried []string
		for _, p := range cands {
			if _, err := os.Stat(p); err != nil {
				tried = append(tried, p)
				continue
			}
			ort.SetSharedLibraryPath(p)
			if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
				initErr = fmt.Errorf("%w: %s could not be loaded: %v", ErrNoLibrary, p, err)
				return
			}
			initPath = p
			return
		}
		initErr = fmt.Errorf("%w (looked for %s in %d places, starting with %s); run `make deps` in the Hark source tree, or set %s to the path of libonnxruntime.so.1 (version 1.25.1 or newer; 1.24.1 gives wrong int8 results on CPUs with AVX-512 VNNI or AMX)",
			ErrNoLibrary, name, len(tried), strings.Join(tried[:min(2, len(tried))], ", "), LibraryEnv)
	})
	return initErr
}

// LibraryPath returns the path of the loaded ONNX Runtime library, or "" before Init.
func LibraryPath() string { return initPath }

// Version returns the loaded ONNX Runtime version.
func Version() string {
	if Init() != nil {
		return ""
	}
	return ort.GetVersion()
}
