package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"hark/asr"
	"hark/internal/loader"
	"hark/internal/trace"
)

func init() {
	register(command{"bench", "[flags] FILE", "measure speed: real-time factor by stage (decode audio, features, model, search)", runBench})
}

func runBench(ctx context.Context, env *Env, args []string) int {
	const name = "bench"
	fs := newFlags(env, name, "[flags] FILE", "Transcribes FILE several times and prints the real-time factor of each stage.")
	model := addModelFlag(fs, "")
	runs := fs.Int("runs", 5, "timed runs `N` after one warm-up run")
	cold := fs.Bool("cold", false, "measure cold starts instead: `hark transcribe FILE` in a new process each run, process start → text written, split by stage (the decoding flags are passed on)")
	dec := addDecodeFlags(fs, "ONNX Runtime threads `N`")
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	cfg, err := dec.config()
	if err != nil {
		return usageErr(env, name, "%v", err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitUsage
	}
	if *runs < 1 {
		return usageErr(env, name, "--runs must be at least 1")
	}
	if *cold {
		var pass []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "cold" && f.Name != "runs" {
				pass = append(pass, "--"+f.Name+"="+f.Value.String())
			}
		})
		return benchCold(ctx, env, pos[0], pass, *runs)
	}
	t0 := time.Now()
	ld, ok := openModel(env, name, *model, cfg)
	if !ok {
		return ExitFailed
	}
	defer ld.Close()
	load := time.Since(t0)
	var total asr.StageTimes
	var dur float64
	var text string
	for i := 0; i <= *runs; i++ {
		res, err := transcribeOne(ctx, env, ld, pos[0])
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: %s\n", programName, oneLine(err))
			return ExitFailed
		}
		if i > 0 {
			total.Add(res.Timing)
			dur += res.Duration
		}
		text = res.Text
	}
	rtf := func(d time.Duration) float64 { return d.Seconds() / dur }
	fmt.Fprintf(env.Stdout, "file      %s (%.2f s of audio, %d runs, beam %d, %d thread(s))\n", pos[0], dur/float64(*runs), *runs, cfg.BeamWidth(), cfg.Threads)
	fmt.Fprintf(env.Stdout, "model     %s (loaded in %v)\n", ld.Model.Source, load.Round(time.Millisecond))
	fmt.Fprintf(env.Stdout, "search    %s\n", searchDesc(ld))
	fmt.Fprintf(env.Stdout, "%-9s %10s %12s %7s\n", "stage", "RTF", "x-realtime", "share")
	for _, s := range []struct {
		name string
		d    time.Duration
	}{{"decode", total.Decode}, {"features", total.Features}, {"model", total.Model}, {"search", total.Search}, {"total", total.Total()}} {
		x := rtf(s.d)
		fmt.Fprintf(env.Stdout, "%-9s %10.5f %12.0f %6.1f%%\n", s.name, x, 1/max(x, 1e-12), share(s.d, total.Total()))
	}
	fmt.Fprintf(env.Stdout, "text      %s\n", text)
	return ExitOK
}

// share is d as a percentage of total (0 when total is 0).
func share(d, total time.Duration) float64 {
	if total <= 0 {
		return 0
	}
	return 100 * d.Seconds() / total.Seconds()
}

// searchDesc describes the search a loaded model runs: greedy, or the beam width with the
// language model (where it came from, α, β) and whether hotwords are on.
func searchDesc(ld *loader.Loaded) string {
	b := ld.Beam
	if b.Beam == 1 {
		return "greedy (no LM, no hotwords)"
	}
	s := fmt.Sprintf("beam %d, ", b.Beam)
	if ld.LM != nil {
		s += fmt.Sprintf("LM %s (%s, α %g, β %g)", ld.LMName, humanBytes(int64(ld.LM.Bytes())), b.LMWeight, b.WordBonus)
	} else {
		s += "no LM"
	}
	if b.Hotwords != nil {
		s += ", hotwords"
	}
	return s
}

// benchCold runs `hark transcribe FILE` runs times, each in a new process with the stage
// marks on (internal/trace), and prints the median time from process start to the end of
// each stage, and of the whole run.
func benchCold(ctx context.Context, env *Env, file string, flags []string, runs int) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s bench: %s\n", programName, oneLine(err))
		return ExitFailed
	}
	var order []string
	at := map[string][]float64{}
	var walls []float64
	for i := 0; i <= runs; i++ { // the first run warms the page cache and the model cache
		cmd := exec.CommandContext(ctx, exe, append(append([]string{"transcribe"}, flags...), file)...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		t0 := time.Now()
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", trace.Env, t0.UnixNano()))
		err := cmd.Run()
		wall := time.Since(t0)
		if err != nil {
			// The child's own error lines (not its stage marks) say what went wrong.
			var msg []string
			for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
				if !strings.HasPrefix(line, "stage ") && line != "" {
					line = strings.TrimPrefix(strings.TrimPrefix(line, programName+" transcribe: "), programName+": ")
					msg = append(msg, line)
				}
			}
			fmt.Fprintf(env.Stderr, "%s bench: %s\n", programName, oneLineString(strings.Join(msg, "; "), 300))
			return ExitFailed
		}
		if i == 0 {
			continue
		}
		walls = append(walls, float64(wall.Microseconds())/1000)
		seen := map[string]bool{}
		for _, line := range strings.Split(stderr.String(), "\n") {
			var stage string
			var ms float64
			if n, _ := fmt.Sscanf(line, "stage %s %g", &stage, &ms); n != 2 || seen[stage] {
				continue
			}
			seen[stage] = true
			if _, ok := at[stage]; !ok {
				order = append(order, stage)
			}
			at[stage] = append(at[stage], ms)
		}
	}
	fmt.Fprintf(env.Stdout, "cold start: hark transcribe %s, %d runs, medians (%s)\n", file, runs, strings.Join(flags, " "))
	fmt.Fprintf(env.Stdout, "%-22s %9s %9s\n", "stage (ends)", "at ms", "took ms")
	prev := 0.0
	for _, st := range order {
		m := median(at[st])
		fmt.Fprintf(env.Stdout, "%-22s %9.1f %9.1f\n", st, m, m-prev)
		prev = m
	}
	fmt.Fprintf(env.Stdout, "%-22s %9.1f %9.1f\n", "process exit", median(walls), median(walls)-prev)
	return ExitOK
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
