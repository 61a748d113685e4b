package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync"

	"hark/audio"
	"hark/internal/ctl"
)

func init() {
	register(command{"ctl", "toggle|start|stop|cancel|pause|undo|status|show", "control the running Hark (app or `listen --control`), e.g. from a desktop shortcut", runCtl})
}

func runCtl(ctx context.Context, env *Env, args []string) int {
	const name = "ctl"
	fs := newFlags(env, name, "toggle|start|stop|cancel|pause|undo|status|show",
		"Sends a command to the running Hark window (or `hark listen --control`) over its control socket\n"+
			"("+"$XDG_RUNTIME_DIR/hark/ctl.sock). Bind `hark ctl toggle` to a desktop shortcut to dictate anywhere.")
	socket := fs.String("socket", "", "control socket `PATH` (default: $XDG_RUNTIME_DIR/hark/ctl.sock)")
	pos, err := parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if len(pos) != 1 {
		return usageErr(env, name, "want one command: %s", strings.Join(ctl.Commands, ", "))
	}
	if !slices.Contains(ctl.Commands, pos[0]) {
		return usageErr(env, name, "unknown command %q (want %s)", pos[0], strings.Join(ctl.Commands, ", "))
	}
	path := *socket
	if path == "" {
		path = ctl.SocketPath()
	}
	state, err := ctl.Send(path, pos[0])
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	fmt.Fprintln(env.Stdout, state)
	return ExitOK
}

// pausable passes audio through, or silence while paused, so that `hark listen --control`
// can be stopped and started without closing the device (an utterance in progress ends
// after the trailing silence, as if the speaker had stopped).
type pausable struct {
	audio.Source
	mu     sync.Mutex
	paused bool
}

func (p *pausable) Read(x []float32) (int, error) {
	n, err := p.Source.Read(x)
	p.mu.Lock()
	paused := p.paused
	p.mu.Unlock()
	if paused {
		clear(x[:n])
	}
	return n, err
}

func (p *pausable) set(paused bool) {
	p.mu.Lock()
	p.paused = paused
	p.mu.Unlock()
}

func (p *pausable) isPaused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}
