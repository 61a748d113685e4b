package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"hark/asr"
	"hark/internal/loader"
	"hark/models"
)

func init() {
	register(command{"models", "list | import PATH | info NAME | remove NAME | default [NAME]", "manage installed models (import real CTC models from local files)", runModels})
}

const modelsUsage = `Usage:
  hark models list                      list the embedded and the installed models
  hark models import [flags] PATH       install a model from a directory or a .tar.bz2,
                                        .tar.gz, .tar.xz or .zip archive (checked first)
  hark models info NAME|DIR             show a model's settings, vocabulary and speed
  hark models remove NAME               delete an installed model
  hark models default [NAME]            show or set the model used when --model is not given

Models live in $XDG_DATA_HOME/hark/models (default ~/.local/share/hark/models); the choice
of default is kept in $XDG_CONFIG_HOME/hark/models.json. Hark never downloads models.
`

func runModels(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, modelsUsage)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(env.Stdout, modelsUsage)
		return ExitOK
	}
	store, err := models.DefaultStore()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s models: %s\n", programName, oneLine(err))
		return ExitFailed
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list", "ls":
		return modelsList(env, store, rest)
	case "import":
		return modelsImport(ctx, env, store, rest)
	case "info":
		return modelsInfo(ctx, env, store, rest)
	case "remove", "rm":
		return modelsRemove(env, store, rest)
	case "default":
		return modelsDefault(env, store, rest)
	}
	fmt.Fprintf(env.Stderr, "%s models: unknown subcommand %q\n%s", programName, sub, modelsUsage)
	return ExitUsage
}

func modelsFail(env *Env, sub string, err error) int {
	fmt.Fprintf(env.Stderr, "%s models %s: %s\n", programName, sub, oneLine(err))
	return ExitFailed
}

// positional parses a subcommand's flags and wants exactly n positional arguments.
func positional(env *Env, fs *flag.FlagSet, args []string, n int) ([]string, int) {
	pos, err := parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, ExitOK
		}
		return nil, ExitUsage
	}
	if len(pos) != n {
		fs.Usage()
		return nil, ExitUsage
	}
	return pos, -1
}

func modelsList(env *Env, store *models.Store, args []string) int {
	fs := newFlags(env, "models list", "", "Lists the embedded model and the installed models; * marks the default.")
	if _, code := positional(env, fs, args, 0); code >= 0 {
		return code
	}
	ents, err := store.List()
	if err != nil {
		return modelsFail(env, "list", err)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\tNAME\tSIZE\tDESCRIPTION")
	for _, e := range ents {
		mark := ""
		if e.Default {
			mark = "*"
		}
		desc := e.Spec.Description
		if e.Embedded {
			desc = strings.TrimSpace("embedded " + desc)
		}
		if desc == "" && e.Spec.Name != "" {
			desc = e.Spec.Name
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", mark, e.Name, humanBytes(e.Size), oneLineString(desc, 70))
	}
	tw.Flush()
	return ExitOK
}

// byteSize is a flag value in bytes that accepts K, M, G and T suffixes (powers of 1024).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	v, err := parseSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(v)
	return nil
}

func modelsImport(ctx context.Context, env *Env, store *models.Store, args []string) int {
	fs := newFlags(env, "models import", "[flags] PATH", "Checks the model in PATH (a directory, or a .tar.bz2, .tar.gz, .tar.xz or .zip archive) and installs it.\nSupported: Hark model directories and single-file CTC exports such as sherpa-onnx's NeMo CTC models.")
	name := fs.String("name", "", "install as `NAME` (default: from the file name)")
	force := fs.Bool("force", false, "replace an installed model of the same name")
	setDefault := fs.Bool("default", false, "also make it the default model")
	maxSize := byteSize(models.DefaultMaxBytes)
	fs.Var(&maxSize, "max-size", "refuse archives that unpack to more than `SIZE` ("+sizeUnits+")")
	maxFiles := fs.Int("max-files", models.DefaultMaxFiles, "refuse archives holding more than `N` files")
	pos, code := positional(env, fs, args, 1)
	if code >= 0 {
		return code
	}
	if *maxFiles <= 0 {
		return usageErr(env, "models import", "--max-files must be positive")
	}
	var check *loader.Check
	var bar *progressbar.ProgressBar
	opts := models.ImportOptions{
		Name: *name, Force: *force,
		Limits: models.Limits{MaxBytes: int64(maxSize), MaxFiles: *maxFiles},
		Validate: func(ctx context.Context, dir string) error {
			if bar != nil {
				_ = bar.Finish()
			}
			if env.StderrIsTTY {
				fmt.Fprintln(env.Stderr, "checking the model…")
			}
			m, err := models.LoadDir(dir)
			if err != nil {
				return err
			}
			check, err = loader.Try(ctx, m, 1)
			return err
		},
	}
	if env.StderrIsTTY {
		opts.Progress = func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(env.Stderr),
					progressbar.OptionSetDescription("unpacking"), progressbar.OptionShowBytes(true),
					progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
			}
			_ = bar.Set64(done)
		}
	}
	im, err := store.Import(ctx, pos[0], opts)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return modelsFail(env, "import", err)
	}
	fmt.Fprintf(env.Stdout, "installed %s in %s\n", im.Name, im.Dir)
	if check != nil {
		fmt.Fprintf(env.Stdout, "checked: %s features (%d per frame), %d tokens, %.1f s test clip in %v\n",
			check.Preset, check.Features, check.Vocab, check.Audio.Seconds(), check.Elapsed.Round(time.Millisecond))
	}
	if *setDefault {
		if err := store.SetDefault(im.Name); err != nil {
			return modelsFail(env, "import", err)
		}
		fmt.Fprintf(env.Stdout, "%s is now the default model\n", im.Name)
	} else {
		fmt.Fprintf(env.Stdout, "use it with --model %s, or make it the default with `%s models default %s`\n", im.Name, programName, im.Name)
	}
	return ExitOK
}

func modelsInfo(ctx context.Context, env *Env, store *models.Store, args []string) int {
	fs := newFlags(env, "models info", "NAME|DIR", "Loads a model and shows its settings, inputs, metadata and speed on 5 s of synthetic sound.")
	seconds := fs.Float64("seconds", 5, "length in `seconds` of the synthetic clip timed")
	pos, code := positional(env, fs, args, 1)
	if code >= 0 {
		return code
	}
	m, err := loader.FindIn(store, pos[0])
	if err != nil {
		return modelsFail(env, "info", err)
	}
	ld, err := loader.Load(m, asr.Config{Beam: 1})
	if err != nil {
		return modelsFail(env, "info", err)
	}
	defer ld.Close()
	m = ld.Model // with what the file's metadata and the defaults fill in
	w := env.Stdout
	info := ld.Engine.Info()
	fmt.Fprintf(w, "name          %s\n", pos[0])
	fmt.Fprintf(w, "source        %s\n", m.Source)
	if m.Name != "" && m.Name != pos[0] {
		fmt.Fprintf(w, "model name    %s\n", m.Name)
	}
	if m.Description != "" {
		fmt.Fprintf(w, "description   %s\n", m.Description)
	}
	fmt.Fprintf(w, "file          %s (%s)\n", m.ONNXName, humanBytes(int64(len(m.ONNX))))
	lic := m.License
	if lic == "" {
		lic = "not stated (check where you got the model)"
	}
	fmt.Fprintf(w, "licence       %s\n", lic)
	vocab := ld.Recognizer.Vocabulary()
	fmt.Fprintf(w, "vocabulary    %d tokens (blank %d)\n", vocab.Size(), vocab.Blank())
	norm := m.Normalize
	if norm == "" {
		norm = "none"
	}
	fmt.Fprintf(w, "features      %s, %d mel bins, normalisation %s", m.FeaturePreset, m.NMels, norm)
	if m.PadTo > 0 {
		fmt.Fprintf(w, ", pad to %d", m.PadTo)
	}
	fmt.Fprintf(w, "\nsubsampling   %d\n", m.SubsamplingFactor)
	for _, t := range info.Inputs {
		fmt.Fprintf(w, "input         %s\n", t)
	}
	for _, t := range info.Outputs {
		fmt.Fprintf(w, "output        %s\n", t)
	}
	for _, k := range info.MetadataKeys() {
		fmt.Fprintf(w, "metadata      %s = %s\n", k, oneLineString(info.Metadata[k], 80))
	}
	if ld.LMName != "" {
		fmt.Fprintf(w, "language model %s\n", ld.LMName)
	}
	if *seconds > 0 {
		clip := loader.SyntheticClip(*seconds)
		start := time.Now()
		if _, err := ld.Recognizer.Recognize(ctx, clip); err != nil {
			return modelsFail(env, "info", err)
		}
		el := time.Since(start)
		rtf := el.Seconds() / *seconds
		fmt.Fprintf(w, "speed         %.1fx real time (%v for %.1f s of synthetic sound, greedy, 1 thread)\n", 1/max(rtf, 1e-9), el.Round(time.Millisecond), *seconds)
	}
	return ExitOK
}

func oneLineString(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

func modelsRemove(env *Env, store *models.Store, args []string) int {
	fs := newFlags(env, "models remove", "NAME", "Deletes an installed model (the embedded model cannot be removed).")
	pos, code := positional(env, fs, args, 1)
	if code >= 0 {
		return code
	}
	wasDefault := store.DefaultModel() == pos[0]
	if err := store.Remove(pos[0]); err != nil {
		return modelsFail(env, "remove", err)
	}
	fmt.Fprintf(env.Stdout, "removed %s\n", pos[0])
	if wasDefault {
		fmt.Fprintf(env.Stdout, "the embedded model is the default again\n")
	}
	return ExitOK
}

func modelsDefault(env *Env, store *models.Store, args []string) int {
	fs := newFlags(env, "models default", "[NAME]", "Shows the default model, or makes NAME (an installed model, or \"default\" for the embedded one) the default.")
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	switch len(pos) {
	case 0:
		fmt.Fprintln(env.Stdout, store.DefaultModel())
		return ExitOK
	case 1:
	default:
		fs.Usage()
		return ExitUsage
	}
	if err := store.SetDefault(pos[0]); err != nil {
		return modelsFail(env, "default", err)
	}
	fmt.Fprintf(env.Stdout, "default model: %s\n", pos[0])
	return ExitOK
}
