package cli

import (
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"hark/asr"
	"hark/asr/lm"
	"hark/asr/text"
	"hark/internal/regfile"
)

func init() {
	register(command{"lm", "build|info|convert ...", "build, inspect or convert n-gram language models", runLM})
}

func runLM(ctx context.Context, env *Env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "build":
			return runLMBuild(ctx, env, args[1:])
		case "info":
			return runLMInfo(env, args[1:])
		case "convert":
			return runLMConvert(env, args[1:])
		case "-h", "-help", "--help", "help":
			lmUsage(env.Stdout)
			return ExitOK
		}
	}
	lmUsage(env.Stderr)
	return ExitUsage
}

func lmUsage(w io.Writer) {
	fmt.Fprintf(w, `Usage:
  %[1]s lm build [flags] TEXT... -o lm.bin   estimate a pruned modified-Kneser-Ney n-gram model
  %[1]s lm info [--ppl TEXT] FILE            sizes, load time and (optionally) perplexity
  %[1]s lm convert IN OUT                    convert between ARPA (.arpa, .arpa.gz) and binary

TEXT files are plain UTF-8 (.gz accepted), one or more sentences per line; - is standard
input. An output name ending in .arpa is written as ARPA text, anything else as Hark's
binary format. Run `+"`%[1]s lm build -h`"+` for the build flags.
`, programName)
}

// openText opens a text input: - for stdin, gzip by name or content.
func openText(env *Env, path string) (io.Reader, func(), error) {
	var r io.Reader
	closeFn := func() {}
	if path == "-" {
		r = env.Stdin
	} else {
		f, err := regfile.Open(path)
		if err != nil {
			return nil, nil, err
		}
		r, closeFn = f, func() { f.Close() }
	}
	br := newPeekReader(r)
	if br.isGzip() {
		zr, err := gzip.NewReader(br)
		if err != nil {
			closeFn()
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return zr, func() { zr.Close(); closeFn() }, nil
	}
	return br, closeFn, nil
}

// peekReader lets openText look at the first two bytes.
type peekReader struct {
	r    io.Reader
	head []byte
}

func newPeekReader(r io.Reader) *peekReader {
	p := &peekReader{r: r, head: make([]byte, 2)}
	n, _ := io.ReadFull(r, p.head)
	p.head = p.head[:n]
	return p
}

func (p *peekReader) isGzip() bool { return len(p.head) == 2 && p.head[0] == 0x1f && p.head[1] == 0x8b }

func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	return p.r.Read(b)
}

func parseInts(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%q is not a comma-separated list of integers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func runLMBuild(ctx context.Context, env *Env, args []string) int {
	const name = "lm build"
	fs := newFlags(env, name, "[flags] TEXT... -o FILE", "Estimates an interpolated modified Kneser-Ney n-gram model from plain text (lower-cased, numbers\nspelled out, punctuation removed, split into sentences) and writes it as Hark binary or ARPA (.arpa).")
	out := fs.String("o", "", "output `FILE` (.arpa: ARPA text; otherwise Hark binary)")
	order := fs.Int("order", lm.DefaultOrder, "n-gram `order` (1-6; 3 or 4 are useful)")
	vocab := fs.Int("vocab", lm.DefaultVocabSize, "keep the `N` most frequent words (-1: all); the rest count as <unk>")
	prune := fs.String("prune", "", "count cut-offs per order, e.g. `0,1,2` drops bigrams seen once and trigrams seen at most twice")
	maxSize := fs.String("max-size", "", "after the cut-offs, drop the n-grams that gain least over their backoff until the binary model fits in `SIZE` (e.g. 20MB; "+sizeUnits+")")
	holdout := fs.Float64("holdout", 0, "keep the last `FRACTION` of the input lines out of training and report perplexity on them")
	dev := fs.String("dev", "", "also report perplexity on the text in `FILE`")
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	pr, err := parseInts(*prune)
	var limit int64
	if err == nil && *maxSize != "" {
		limit, err = parseSize(*maxSize)
	}
	switch {
	case err != nil:
		return usageErr(env, name, "%v", err)
	case len(pos) == 0 || *out == "":
		fs.Usage()
		return ExitUsage
	case *order < 1 || *order > lm.MaxOrder:
		return usageErr(env, name, "--order %d out of range 1..%d", *order, lm.MaxOrder)
	case !(*holdout >= 0 && *holdout < 1):
		return usageErr(env, name, "--holdout %v: want a fraction in [0, 1)", *holdout)
	case *vocab == 0:
		return usageErr(env, name, "--vocab 0: want a positive word count or -1")
	}
	if o, err := os.Stat(*out); err == nil {
		for _, p := range pos {
			if in, err := os.Stat(p); err == nil && os.SameFile(in, o) {
				return usageErr(env, name, "-o %s is also an input (%s): it would be overwritten", *out, p)
			}
		}
	}
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	t0 := time.Now()
	var corpus lm.Corpus
	for _, p := range pos {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		r, closeFn, err := openText(env, p)
		if err != nil {
			return fail(err)
		}
		err = corpus.AddReader(r, p)
		closeFn()
		if err != nil {
			return fail(err)
		}
	}
	train, held := corpus.Split(*holdout)
	tRead := time.Since(t0)
	fmt.Fprintf(env.Stdout, "read       %d lines, %d sentences, %d words from %d file(s) in %.1f s\n",
		corpus.Lines(), corpus.Sentences(), corpus.Words(), len(pos), tRead.Seconds())
	if held.Lines() > 0 {
		fmt.Fprintf(env.Stdout, "held out   the last %d lines (%d words) for perplexity\n", held.Lines(), held.Words())
	}
	opt := lm.BuildOptions{Order: *order, VocabSize: *vocab, Prune: pr, MaxBytes: limit}
	t1 := time.Now()
	m, info, err := lm.Build(train, opt)
	if err != nil {
		return fail(err)
	}
	tBuild := time.Since(t1)
	fmt.Fprintf(env.Stdout, "vocabulary %d words of %d seen (%.2f%% of training words become <unk>)\n",
		m.VocabSize(), info.Types, 100*float64(info.UnkTokens)/float64(max(1, info.Tokens)))
	counts := m.Counts()
	for k, c := range counts {
		fmt.Fprintf(env.Stdout, "%d-grams    %d", k+1, c)
		if k > 0 {
			fmt.Fprintf(env.Stdout, " of %d (cut-off %d)", info.Counted[k], info.Prune[k])
		}
		d := info.Discounts[k]
		fmt.Fprintf(env.Stdout, ", discounts %.3f %.3f %.3f\n", d[0], d[1], d[2])
	}
	if info.Fitted {
		fmt.Fprintf(env.Stdout, "pruned     by weighted difference to fit in %d bytes\n", limit)
	}
	if err := lm.Save(*out, m); err != nil {
		return fail(err)
	}
	size := int64(-1)
	if st, err := os.Stat(*out); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(env.Stdout, "wrote      %s (%s) in %.1f s (estimation %.1f s)\n", *out, humanBytes(size), time.Since(t0).Seconds(), tBuild.Seconds())
	if held.Sentences() > 0 {
		printPPL(env, "held-out lines", m.Perplexity(held))
	}
	if *dev != "" {
		if code := devPPL(env, name, m, *dev); code != ExitOK {
			return code
		}
	}
	return ExitOK
}

func devPPL(env *Env, name string, m *lm.Model, path string) int {
	r, closeFn, err := openText(env, path)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	var c lm.Corpus
	err = c.AddReader(r, path)
	closeFn()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	printPPL(env, path, m.Perplexity(&c))
	return ExitOK
}

func printPPL(env *Env, what string, p lm.Perplexity) {
	fmt.Fprintf(env.Stdout, "perplexity %.1f on %s (%d sentences, %d words, %.2f%% OOV)\n", p.PPL(), what, p.Sentences, p.Words, 100*p.OOVRate())
}

func humanBytes(n int64) string {
	switch {
	case n < 0:
		return "size unknown"
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func runLMInfo(env *Env, args []string) int {
	const name = "lm info"
	fs := newFlags(env, name, "[--ppl TEXT] FILE", "Prints the order, n-gram counts, size and load time of a language model (binary, ARPA or ARPA.gz).")
	ppl := fs.String("ppl", "", "report perplexity on the text in `FILE` (.gz accepted)")
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return ExitUsage
	}
	t0 := time.Now()
	m, err := lm.Load(pos[0])
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	load := time.Since(t0)
	size := int64(-1)
	if st, err := os.Stat(pos[0]); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(env.Stdout, "file       %s (%s)\norder      %d\nvocabulary %d words (<unk>: %v)\n", pos[0], humanBytes(size), m.Order(), m.VocabSize(), m.HasUnk())
	for k, c := range m.Counts() {
		fmt.Fprintf(env.Stdout, "%d-grams    %d\n", k+1, c)
	}
	fmt.Fprintf(env.Stdout, "memory     %s\nload time  %.0f ms\n", humanBytes(int64(m.Bytes())), float64(load.Microseconds())/1000)
	if *ppl != "" {
		return devPPL(env, name, m, *ppl)
	}
	return ExitOK
}

func runLMConvert(env *Env, args []string) int {
	const name = "lm convert"
	fs := newFlags(env, name, "IN OUT", "Converts a language model between ARPA (.arpa; .arpa.gz on input) and Hark binary (any other name).")
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		fs.Usage()
		return ExitUsage
	}
	m, err := lm.Load(pos[0])
	if err == nil {
		err = lm.Save(pos[1], m)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	return ExitOK
}

// decodeFlags are the language-model and hotword flags shared by transcribe and eval.
type decodeFlags struct {
	fs        *flag.FlagSet
	lm        *string
	lmWeight  *float64
	wordBonus *float64
	hotwords  *string
	beam      *int
	threads   *int // nil: the command has no --threads
	commands  *bool
}

// addModelFlag adds --model, the model a command loads (prefix says for what, if not all).
func addModelFlag(fs *flag.FlagSet, prefix string) *string {
	return fs.String("model", "", prefix+"model `NAME|DIR` (default: the one `hark models default` chose, else the embedded English model)")
}

// addDecodeFlags adds the decoding flags every decoding command shares (--beam, the LM and
// hotword flags, and --threads when threadsHelp is not ""); config reads them into the one
// decoding configuration, asr.Config.
func addDecodeFlags(fs *flag.FlagSet, threadsHelp string) *decodeFlags {
	d := &decodeFlags{
		fs:        fs,
		beam:      fs.Int("beam", 0, "beam width `N` (1 = greedy; default 8)"),
		commands:  fs.Bool("commands", false, "bias the search towards spoken punctuation commands (\"comma\", \"new line\"…), as live dictation does (hark listen: on unless --raw)"),
		lm:        fs.String("lm", "", "n-gram language model `FILE` (Hark binary, ARPA or ARPA.gz; default: the model's own LM if it has one; none: no LM)"),
		lmWeight:  fs.Float64("lm-weight", 0, "language model weight `α` (default: the model's tuned value, else 0.5)"),
		wordBonus: fs.Float64("word-bonus", 0, "word insertion bonus `β` (default: the model's tuned value, else 1.0)"),
		hotwords:  fs.String("hotwords", "", "hotword `FILE`: one word or phrase per line, optional :BOOST (log-score per token)"),
	}
	if threadsHelp != "" {
		d.threads = fs.Int("threads", 1, threadsHelp)
	}
	return d
}

// config is the decoding configuration the flags ask for, checked.
func (d *decodeFlags) config() (asr.Config, error) {
	cfg := asr.Config{Beam: *d.beam, Commands: *d.commands}
	if *d.beam < 0 || *d.beam > 1024 {
		return cfg, fmt.Errorf("--beam %d out of range 0..1024", *d.beam)
	}
	if d.threads != nil {
		if *d.threads < 1 || *d.threads > runtime.NumCPU()*4 {
			return cfg, fmt.Errorf("--threads %d out of range 1..%d", *d.threads, runtime.NumCPU()*4)
		}
		cfg.Threads = *d.threads
	}
	return cfg, d.apply(&cfg)
}

// apply copies the LM and hotword flags that were given into cfg.
func (d *decodeFlags) apply(cfg *asr.Config) error {
	var err error
	d.fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "lm":
			if *d.lm == "none" {
				cfg.NoLM = true
			} else {
				cfg.LM = *d.lm
			}
		case "lm-weight":
			if !(*d.lmWeight > 0) || math.IsInf(*d.lmWeight, 0) {
				err = fmt.Errorf("--lm-weight %v: want a positive number", *d.lmWeight)
			}
			cfg.LMWeight = d.lmWeight
		case "word-bonus":
			if math.IsNaN(*d.wordBonus) || math.IsInf(*d.wordBonus, 0) {
				err = fmt.Errorf("--word-bonus %v: want a finite number", *d.wordBonus)
			}
			cfg.WordBonus = d.wordBonus
		case "hotwords":
			cfg.Hotwords = *d.hotwords
		}
	})
	return err
}

// postFlags are transcribe's text post-processing flags.
type postFlags struct {
	replacements *string
	raw          *bool
}

func addPostFlags(fs *flag.FlagSet) *postFlags {
	return &postFlags{
		replacements: fs.String("replacements", "", "replacement `FILE`: \"spoken => written\" (or tab-separated) per line, applied to the text"),
		raw:          fs.Bool("raw", false, "print the recognizer's raw lower-case words: no casing, punctuation or spoken commands (--replacements still apply)"),
	}
}

// formatter builds the text formatter the flags ask for (nil: leave results as they are)
// and records raw mode in cfg.
func (p *postFlags) formatter(cfg *asr.Config) (*text.Formatter, error) {
	cfg.Raw = *p.raw
	f := &text.Formatter{NoCommands: *p.raw, NoCasing: *p.raw}
	if *p.replacements != "" {
		r, err := text.LoadReplacements(*p.replacements)
		if err != nil {
			return nil, err
		}
		f.Replacements = r
	}
	if *p.raw && f.Replacements == nil {
		return nil, nil
	}
	return f, nil
}

// warn prints non-fatal problems, one line each.
func warn(env *Env, cmd string, msgs []string) {
	for _, m := range msgs {
		fmt.Fprintf(env.Stderr, "%s %s: warning: %s\n", programName, cmd, strings.ReplaceAll(m, "\n", " "))
	}
}
