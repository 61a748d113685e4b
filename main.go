// Command hark is an offline English speech recognizer: with no arguments it opens the
// dictation window; with a subcommand (transcribe, bench, ...) it works on the command line.
package main

import (
	"os"

	"github.com/mattn/go-isatty"

	"hark/internal/cli"
	_ "hark/internal/posixlocale" // before Fyne initialises: see the package comment
)

func main() {
	env := &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		StderrIsTTY: isatty.IsTerminal(os.Stderr.Fd())}
	args := os.Args[1:]
	if len(args) == 0 {
		args = defaultArgs()
	}
	os.Exit(cli.Main(args, env))
}
