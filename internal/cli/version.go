package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"hark/asr/onnx"
)

func init() {
	register(command{"version", "", "print Hark's version, the ONNX Runtime in use and the CPU (also --version)", runVersion})
}

// version is the module version and VCS revision the binary was built from.
func version() string {
	v := "(devel)"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v = bi.Main.Version
	}
	var rev, dirty, when string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		case "vcs.time":
			when = s.Value
		}
	}
	if rev != "" {
		v += fmt.Sprintf(" (commit %.12s%s, %s)", rev, dirty, when)
	}
	return v
}

func runVersion(ctx context.Context, env *Env, args []string) int {
	if len(args) > 0 {
		return usageErr(env, "version", "unexpected argument %q", args[0])
	}
	fmt.Fprintf(env.Stdout, "hark %s\n", version())
	fmt.Fprintf(env.Stdout, "go %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if err := onnx.Init(); err != nil {
		fmt.Fprintf(env.Stdout, "onnxruntime not found: %s\n", oneLine(err))
	} else {
		fmt.Fprintf(env.Stdout, "onnxruntime %s (%s)\n", onnx.Version(), onnx.LibraryPath())
	}
	fmt.Fprintf(env.Stdout, "cpu %s\n", onnx.ReadCPU())
	return ExitOK
}
