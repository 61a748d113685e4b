package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"

	"hark/asr"
	"hark/internal/loader"
	"hark/internal/trace"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1 // some inputs failed
	ExitUsage   = 2
	programName = "hark"
)

// Env is what a command sees of the process, so commands can be tested in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	StderrIsTTY    bool
}

type command struct {
	name, args, help string
	run              func(ctx context.Context, env *Env, args []string) int
}

var commands []command

func register(c command) { commands = append(commands, c) }

// Extra lets the main package add commands that live outside this package (the GUI).
func Extra(name, args, help string, run func(ctx context.Context, env *Env, args []string) int) {
	register(command{name, args, help, run})
}

// Main runs the command line and returns the exit code.
func Main(args []string, env *Env) int {
	trace.Mark("main")
	if len(args) == 0 {
		usage(env.Stderr)
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		usage(env.Stdout)
		return ExitOK
	case "--version", "-version", "-V":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			out := &errWriter{w: env.Stdout}
			cenv := *env
			cenv.Stdout = out
			code := c.run(ctx, &cenv, args[1:])
			if err := out.error(); err != nil {
				fmt.Fprintf(env.Stderr, "%s %s: writing standard output: %s\n", programName, name, oneLine(err))
				if code == ExitOK {
					code = ExitFailed
				}
			}
			return code
		}
	}
	fmt.Fprintf(env.Stderr, "%s: unknown command %q (run `%s help`)\n", programName, name, programName)
	return ExitUsage
}

// errWriter remembers the first error writing standard output, so that a command whose output
// was lost (a full disk, /dev/full, a closed descriptor) does not exit 0 (issue 17).
type errWriter struct {
	w   io.Writer
	mu  sync.Mutex
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil {
		e.mu.Lock()
		if e.err == nil {
			e.err = err
		}
		e.mu.Unlock()
	}
	return n, err
}

func (e *errWriter) error() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Hark: offline English speech recognition.\n\nUsage:\n")
	cs := append([]command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.help)
	}
	fmt.Fprintf(w, "\nRun `%s COMMAND -h` for a command's flags.\n", programName)
}

// parse parses flags that may be interspersed with positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parseArgs is parse for a subcommand: ok false means return code (ExitOK after -h, whose
// help was printed; ExitUsage after an error, which the flag package printed).
func parseArgs(fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	pos, err := parse(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil, ExitOK, false
	case err != nil:
		return nil, ExitUsage, false
	}
	return pos, ExitOK, true
}

func newFlags(env *Env, name, args, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(programName+" "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: %s %s %s\n%s\n\nFlags:\n", programName, name, args, help)
		fs.PrintDefaults()
	}
	return fs
}

func usageErr(env *Env, cmd string, format string, a ...any) int {
	fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, cmd, fmt.Sprintf(format, a...))
	return ExitUsage
}

// oneLine keeps an error message to a single line.
func oneLine(err error) string {
	s := err.Error()
	if errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	return printable(strings.ReplaceAll(strings.TrimSpace(s), "\n", "; "))
}

// printable escapes what a terminal would act on rather than show — control characters (ESC,
// which starts colour, title and hyperlink sequences, BEL, CR), C1 controls and invalid UTF-8
// — so that a file name cannot run commands in the user's terminal (issue 17).
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// openModel resolves and loads a model for command cmd, printing a one-line error (and any
// warnings) on standard error; ok is false when the command should exit with ExitFailed.
func openModel(env *Env, cmd, model string, cfg asr.Config) (ld *loader.Loaded, ok bool) {
	m, err := loader.Find(model)
	trace.Mark("model-found")
	if err == nil {
		ld, err = loader.Load(m, cfg)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, cmd, oneLine(err))
		return nil, false
	}
	warn(env, cmd, ld.Warnings)
	return ld, true
}
