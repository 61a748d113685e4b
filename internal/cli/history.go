package cli

import (
	"context"
	"fmt"
	"strings"

	"hark/asr"
	"hark/dictation"
	"hark/dictation/history"
	"hark/internal/loader"
)

func init() {
	register(command{"history", "[list|redecode ID|rm ID]", "saved utterances: list them, decode unfinished ones again, delete", runHistory})
}

// openHistory opens the utterance store: --history-dir, or the XDG data directory.
func openHistory(dir string) (*history.Store, error) {
	if dir != "" {
		return history.Open(dir, 0)
	}
	return history.OpenDefault(0)
}

func runHistory(ctx context.Context, env *Env, args []string) int {
	const name = "history"
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags(env, name, "[list|redecode ID...|redecode pending|rm ID...] [flags]",
		"Lists the utterances Hark saved (audio is written before decoding, so nothing is lost to a crash),\n"+
			"decodes them again (all unfinished ones with `redecode pending`), or deletes them.")
	dir := fs.String("dir", "", "history `DIR` (default: $XDG_DATA_HOME/hark/utterances)")
	format := fs.String("format", "txt", "list `format`: txt or json")
	model := addModelFlag(fs, "redecode: ")
	beam := fs.Int("beam", 0, "redecode: beam width `N`")
	post := addPostFlags(fs)
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	if *format != "txt" && *format != "json" {
		return usageErr(env, name, "unknown --format %q (want txt or json)", *format)
	}
	st, err := openHistory(*dir)
	if err != nil {
		return fail(err)
	}
	switch sub {
	case "list", "ls":
		if len(pos) > 0 {
			return usageErr(env, name, "list takes no arguments")
		}
		es, err := st.List()
		if *format == "json" {
			if es == nil {
				es = []history.Entry{}
			}
			writeJSON(env.Stdout, es, true)
		} else {
			pending := 0
			if len(es) == 0 && err == nil {
				fmt.Fprintf(env.Stderr, "No saved utterances in %s.\n", st.Dir())
			}
			for _, e := range es {
				text := e.Text
				if text == "" && e.Error != "" {
					text = "[" + e.Error + "]"
				}
				// A hand-edited or corrupt record must not send escape sequences to the terminal.
				fmt.Fprintf(env.Stdout, "%s  %s  %-8s %5.1fs  %s\n", e.ID, e.Time.Local().Format("2006-01-02 15:04:05"), e.Status, e.Seconds, printable(text))
				if e.Status == history.Pending {
					pending++
				}
			}
			if pending > 0 && err == nil {
				fmt.Fprintf(env.Stderr, "%d utterance(s) were never decoded (Hark stopped mid-utterance): `%s history redecode pending` decodes them.\n", pending, programName)
			}
		}
		if err != nil {
			return fail(err)
		}
		return ExitOK
	case "rm", "delete":
		if len(pos) == 0 {
			return usageErr(env, name, "rm needs an utterance ID (see `hark history list`)")
		}
		code := ExitOK
		for _, id := range pos {
			if err := st.Remove(id); err != nil {
				code = fail(err)
			}
		}
		return code
	case "redecode":
		if len(pos) == 0 {
			return usageErr(env, name, "redecode needs an utterance ID or `pending`")
		}
		var ids []string
		skipped := false // a corrupt record was reported and skipped
		for _, id := range pos {
			if id != "pending" {
				ids = append(ids, id)
				continue
			}
			p, err := st.Pending()
			if err != nil {
				// A corrupt sidecar is reported and skipped; the others are still decoded
				// (issue 17: one stopped the whole command before anything was decoded).
				for _, e := range unjoin(err) {
					fail(e)
				}
				if len(p) == 0 {
					return ExitFailed
				}
				skipped = true
			}
			for _, e := range p {
				ids = append(ids, e.ID)
			}
		}
		if len(ids) == 0 {
			fmt.Fprintln(env.Stderr, "No unfinished utterances.")
			return ExitOK
		}
		var cfg asr.Config
		cfg.Beam = *beam
		f, err := post.formatter(&cfg)
		if err != nil {
			return fail(err)
		}
		m, err := loader.Find(*model)
		if err != nil {
			return fail(err)
		}
		ld, err := loader.Load(m, cfg)
		if err != nil {
			return fail(err)
		}
		defer ld.Close()
		k := &dictation.Keeper{Store: func() *history.Store { return st }, Model: func() string { return ld.Model.Name }}
		code := ExitOK
		for _, id := range ids {
			e, err := k.Redecode(ctx, ld.Recognizer, id, func(raw string) string {
				if f == nil {
					return raw
				}
				return f.Format(raw)
			})
			if err != nil {
				code = fail(err)
				continue
			}
			fmt.Fprintf(env.Stdout, "%s  %s\n", e.ID, e.Text)
		}
		if skipped {
			code = ExitFailed
		}
		return code
	}
	return usageErr(env, name, "unknown subcommand %q (want list, redecode or rm)", sub)
}

// unjoin splits an errors.Join error into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// hangEnv, when set, makes `hark listen` stop for good once an utterance is decoded, before
// its outcome is recorded (its audio saved, its entry still pending): the crash test kills
// it there.
const hangEnv = "HARK_DEBUG_HANG_BEFORE_DECODE"
