package cli

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"hark/asr"
	"hark/asr/eval"
	"hark/internal/atomicfile"
	"hark/internal/regfile"
)

func init() {
	register(command{"eval", "[flags] MANIFEST.tsv", "word and character error rates over a manifest of WAV paths and reference texts", runEval})
}

func runEval(ctx context.Context, env *Env, args []string) int {
	const name = "eval"
	fs := newFlags(env, name, "[flags] MANIFEST.tsv", "Each manifest line is an audio path (relative to the manifest), a tab, and the reference text.\nText is normalised (lower case, no punctuation, numbers as words) before scoring.")
	model := addModelFlag(fs, "")
	jobs := fs.Int("jobs", 1, "utterances decoded in parallel")
	verbose := fs.Bool("v", false, "print reference and hypothesis of every utterance with errors")
	hyps := fs.String("hyp", "", "also write the hypotheses as a manifest to `FILE` (only when every utterance decodes)")
	scoreOnly := fs.String("score", "", "score the hypotheses in manifest `FILE` (same paths) instead of decoding, e.g. another recognizer's output")
	dec := addDecodeFlags(fs, "")
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
	f, err := regfile.Open(pos[0])
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	entries, err := eval.ReadManifest(f, pos[0])
	f.Close()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	if *scoreOnly != "" {
		return scoreFile(env, pos[0], entries, *scoreOnly, *verbose)
	}
	ld, ok := openModel(env, name, *model, cfg)
	if !ok {
		return ExitFailed
	}
	defer ld.Close()
	base := filepath.Dir(pos[0])
	texts := make([]string, len(entries))
	errs := make([]error, len(entries))
	var audioSec float64
	var timing asr.StageTimes
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < max(1, *jobs); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := entries[i].Path
				if !filepath.IsAbs(p) {
					p = filepath.Join(base, p)
				}
				res, err := transcribeOne(ctx, env, ld, p)
				texts[i], errs[i] = res.Text, err
				mu.Lock()
				audioSec += res.Duration
				timing.Add(res.Timing)
				mu.Unlock()
			}
		}()
	}
	t0 := time.Now()
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	wall := time.Since(t0)
	var score eval.Score
	failed := 0
	var out *bytes.Buffer // the hypotheses, written atomically once complete
	if *hyps != "" {
		out = &bytes.Buffer{}
	}
	for i, e := range entries {
		if errs[i] != nil {
			failed++
			fmt.Fprintf(env.Stderr, "%s %s: %s:%d: %s\n", programName, name, printable(pos[0]), e.Line, oneLine(errs[i]))
			continue
		}
		score.Add(e.Reference, texts[i])
		if out != nil {
			fmt.Fprintf(out, "%s\t%s\n", e.Path, texts[i])
		}
		if *verbose && eval.Normalize(e.Reference) != eval.Normalize(texts[i]) {
			fmt.Fprintf(env.Stdout, "%s\n  ref: %s\n  hyp: %s\n", e.Path, eval.Normalize(e.Reference), eval.Normalize(texts[i]))
		}
	}
	fmt.Fprintf(env.Stdout, "manifest  %s\nmodel     %s\nutterances %d (%d failed), %.1f s of audio\n", pos[0], ld.Model.Source, score.Utterances, failed, audioSec)
	fmt.Fprintf(env.Stdout, "WER       %.2f%% (%d errors / %d words)\nCER       %.2f%% (%d / %d characters)\nSER       %.2f%%\n",
		100*score.WER(), score.WordErrors, score.Words, 100*score.CER(), score.CharErrors, score.Chars,
		100*float64(score.SentenceErrors)/float64(max(1, score.Utterances)))
	if audioSec > 0 {
		fmt.Fprintf(env.Stdout, "RTF       %.4f (stages summed, %d job(s), wall %.1f s)\n", timing.Total().Seconds()/audioSec, max(1, *jobs), wall.Seconds())
		fmt.Fprintf(env.Stdout, "stages    decode %.5f, features %.5f, model %.5f, search %.5f (search %.1f%% of the total; %s)\n",
			timing.Decode.Seconds()/audioSec, timing.Features.Seconds()/audioSec, timing.Model.Seconds()/audioSec,
			timing.Search.Seconds()/audioSec, share(timing.Search, timing.Total()), searchDesc(ld))
	}
	if out != nil && failed == 0 {
		// Only a complete file, and never over a FIFO or device (issue 17: a FIFO hung it).
		if err := atomicfile.WriteFile(*hyps, out.Bytes(), 0o644); err != nil {
			fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
			return ExitFailed
		}
	}
	if failed > 0 {
		return ExitFailed
	}
	return ExitOK
}

// scoreFile scores another recognizer's hypotheses against the references.
func scoreFile(env *Env, manifest string, refs []eval.Entry, hypPath string, verbose bool) int {
	f, err := regfile.Open(hypPath)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s eval: %s\n", programName, oneLine(err))
		return ExitFailed
	}
	hyps, err := eval.ReadManifest(f, hypPath)
	f.Close()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s eval: %s\n", programName, oneLine(err))
		return ExitFailed
	}
	byPath := map[string]string{}
	for _, h := range hyps {
		byPath[h.Path] = h.Reference
	}
	var score eval.Score
	missing := 0
	for _, e := range refs {
		h, ok := byPath[e.Path]
		if !ok {
			missing++
		}
		score.Add(e.Reference, h)
		if verbose && eval.Normalize(e.Reference) != eval.Normalize(h) {
			fmt.Fprintf(env.Stdout, "%s\n  ref: %s\n  hyp: %s\n", e.Path, eval.Normalize(e.Reference), eval.Normalize(h))
		}
	}
	fmt.Fprintf(env.Stdout, "manifest  %s\nhypotheses %s (%d missing, scored as empty)\nutterances %d\n", manifest, hypPath, missing, score.Utterances)
	fmt.Fprintf(env.Stdout, "WER       %.2f%% (%d errors / %d words)\nCER       %.2f%% (%d / %d characters)\n",
		100*score.WER(), score.WordErrors, score.Words, 100*score.CER(), score.CharErrors, score.Chars)
	return ExitOK
}
