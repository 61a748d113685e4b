// Package cli implements Hark's command line: transcribe, bench and the other subcommands.
package cli
