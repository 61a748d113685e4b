package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"hark/audio/portaudio"
)

func init() {
	register(command{"devices", "[--format txt|json]", "list audio input devices (for `listen --device`)", runDevices})
}

func runDevices(ctx context.Context, env *Env, args []string) int {
	const name = "devices"
	fs := newFlags(env, name, "[--format txt|json]", "Lists the audio input devices that `hark listen --device` and the app can use.")
	format := fs.String("format", "txt", "output `format`: txt or json")
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageErr(env, name, "unexpected argument %q", pos[0])
	}
	if *format != "txt" && *format != "json" {
		return usageErr(env, name, "unknown --format %q (want txt or json)", *format)
	}
	devs, err := portaudio.Devices()
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	if *format == "json" {
		type dev struct {
			Index      int     `json:"index"`
			Name       string  `json:"name"`
			Host       string  `json:"host"`
			Channels   int     `json:"channels"`
			SampleRate float64 `json:"sample_rate"`
			Default    bool    `json:"default"`
		}
		out := []dev{}
		for _, d := range devs {
			out = append(out, dev{d.Index, d.Name, d.Host, d.Channels, d.SampleRate, d.Default})
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return ExitOK
	}
	if len(devs) == 0 {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(portaudio.ErrNoDevice))
		return ExitFailed
	}
	fmt.Fprintf(env.Stdout, "%5s  %-3s %-44s %-10s %4s %8s\n", "INDEX", "", "NAME", "HOST", "CH", "RATE")
	for _, d := range devs {
		mark := ""
		if d.Default {
			mark = "*"
		}
		fmt.Fprintf(env.Stdout, "%5d  %-3s %-44s %-10s %4d %8.0f\n", d.Index, mark, d.Name, d.Host, d.Channels, d.SampleRate)
	}
	fmt.Fprintf(env.Stdout, "\n* default input. Use `%s listen --device INDEX|NAME`.\n", programName)
	return ExitOK
}
