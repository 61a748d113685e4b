//go:build !nogui

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"

	"github.com/jezek/xgb"

	"hark/app"
	"hark/internal/cli"
	"hark/internal/ctl"
)

// The dictation window is a command like the others, so that `hark gui` works and builds
// tagged nogui leave Fyne (and X11/OpenGL) out entirely.
func init() {
	cli.Extra("gui", "[flags]", "open the dictation window (what `hark` with no arguments does on a desktop)", runGUI)
}

func runGUI(ctx context.Context, env *cli.Env, args []string) int {
	fs := flag.NewFlagSet("hark gui", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var o app.Options
	fs.StringVar(&o.Input, "input", "", "replay audio `FILE` in real time instead of the microphone (demos, tests)")
	fs.BoolVar(&o.Record, "record", false, "start dictating as soon as the model is loaded")
	fs.StringVar(&o.Model, "model", "", "model `NAME|DIR` for this run (default: the one in Settings)")
	fs.StringVar(&o.VAD, "vad", "", "voice activity detector for this run: silero or energy")
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: hark gui [flags]\nOpens the dictation window; settings made in it are remembered.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "hark gui: unexpected argument %q\n", fs.Arg(0))
		return cli.ExitUsage
	}
	if o.VAD != "" && o.VAD != "silero" && o.VAD != "energy" {
		fmt.Fprintf(env.Stderr, "hark gui: unknown --vad %q (want silero or energy)\n", o.VAD)
		return cli.ExitUsage
	}
	// One window at a time: two would both type into the focused app, interleaved (issue 17).
	// A running Hark is asked to come to the front instead.
	if state, err := ctl.Send(ctl.SocketPath(), "show"); err == nil {
		fmt.Fprintf(env.Stderr, "hark gui: Hark is already running (%s); its window was brought to the front\n", state)
		return cli.ExitOK
	}
	if err := checkDisplay(); err != nil {
		fmt.Fprintf(env.Stderr, "hark gui: %v; without a display, use a command (`hark help` lists them)\n", err)
		return cli.ExitFailed
	}
	if err := app.Run(ctx, o); err != nil {
		fmt.Fprintf(env.Stderr, "hark gui: %v\n", err)
		return cli.ExitFailed
	}
	return cli.ExitOK
}

// defaultArgs is what running hark with no arguments does: open the window on a desktop,
// print the help where there is no display (a server, an SSH session).
func defaultArgs() []string {
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" {
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return []string{"help"}
		}
	}
	return []string{"gui"}
}

// checkDisplay connects to the X server that DISPLAY names (when no Wayland display is set)
// and reports one line if it cannot: the windowing library panics with a 34-line trace there
// (issue 17).
func checkDisplay() error {
	d := os.Getenv("DISPLAY")
	if os.Getenv("WAYLAND_DISPLAY") != "" || d == "" || (runtime.GOOS != "linux" && runtime.GOOS != "freebsd") {
		return nil
	}
	// xgb logs its fallbacks (no .Xauthority, ...) on stderr: not for this probe.
	prev := xgb.Logger
	xgb.Logger = log.New(io.Discard, "", 0)
	c, err := xgb.NewConnDisplay(d)
	xgb.Logger = prev
	if err != nil {
		return fmt.Errorf("cannot open the display DISPLAY=%q: %v", d, err)
	}
	c.Close()
	return nil
}
