//go:build cgo

package onnx

import (
	"fmt"
	"os"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

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
