package cli

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"hark/asr/features"
	"hark/audio/audiofile"
	"hark/internal/atomicfile"
)

// The features command is for model training and parity checks: it dumps what Hark's own
// front-end computes, so training can use (or be checked against) exactly these features.
func init() {
	register(command{"features", "[flags] AUDIO OUT.npy", "(for training) write the log-mel features Hark computes for AUDIO as a float32 [frames, mels] .npy file", runFeatures})
}

func runFeatures(ctx context.Context, env *Env, args []string) int {
	const name = "features"
	fs := newFlags(env, name, "[flags] AUDIO OUT.npy", "Writes Hark's log-mel features for AUDIO (resampled to 16 kHz) as a float32 .npy array [frames, mels].")
	preset := fs.String("preset", "nemo", "front-end `preset`: nemo or kaldi")
	mels := fs.Int("mels", 80, "mel bins `N`")
	norm := fs.Bool("normalize", false, "per-feature normalisation")
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		fs.Usage()
		return ExitUsage
	}
	if *mels < 1 || *mels > 256 {
		return usageErr(env, name, "--mels %d out of range 1..256", *mels)
	}
	cfg := features.Config{NumMels: *mels, Normalize: *norm}
	switch *preset {
	case "nemo":
	case "kaldi":
		cfg.Preset = features.Kaldi
	default:
		return usageErr(env, name, "unknown --preset %q (want nemo or kaldi)", *preset)
	}
	fe, err := features.New(cfg)
	if err != nil {
		return usageErr(env, name, "%s", oneLine(err))
	}
	x, err := audiofile.Load(pos[0], features.SampleRate)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	m := fe.Compute(x)
	if err := writeAtomicFunc(pos[1], func(w io.Writer) error { return writeNPY(w, m.Data, m.Rows, m.Cols) }); err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	return ExitOK
}

// writeNPY writes a little-endian float32 2-D array in NumPy's .npy format (version 1.0).
func writeNPY(w io.Writer, data []float32, rows, cols int) error {
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols)
	pad := 64 - (10+len(header)+1)%64
	header += strings.Repeat(" ", pad) + "\n"
	bw := bufio.NewWriter(w)
	bw.WriteString("\x93NUMPY\x01\x00")
	binary.Write(bw, binary.LittleEndian, uint16(len(header)))
	bw.WriteString(header)
	var b [4]byte
	for _, v := range data {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
		bw.Write(b[:])
	}
	return bw.Flush()
}

// writeAtomicFunc writes a file through fill, atomically.
func writeAtomicFunc(path string, fill func(io.Writer) error) error {
	return atomicfile.WriteFunc(path, 0o644, fill)
}
