package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

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
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
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
