package portaudio

import (
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// PortAudio sees PulseAudio (and PipeWire's PulseAudio server) only as the ALSA PCMs
// "pulse" and "default", so `hark devices` listed those instead of the microphones people
// know by name (issue 17). The sound server's sources are listed too, by their
// descriptions, and captured through the "pulse" PCM with PULSE_SOURCE naming the source.

// pulseSource is one PulseAudio source.
type pulseSource struct {
	Name        string // the server's name for it (PULSE_SOURCE)
	Description string // what people see ("Built-in Audio Analog Stereo")
	Channels    int
	Rate        float64
	Monitor     bool // the monitor of an output (what the machine plays), not a microphone
}

// pulseSources asks the sound server (pactl) for its sources; none when pactl is missing,
// the server does not answer within 2 s, or the answer cannot be read.
func pulseSources() []pulseSource {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "pactl", "-f", "json", "list", "sources").Output()
	if err != nil {
		return nil
	}
	return parsePulseSources(out)
}

// parsePulseSources reads `pactl -f json list sources`; microphones first, monitors last.
func parsePulseSources(b []byte) []pulseSource {
	var raw []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Spec        string `json:"sample_specification"` // "s16le 2ch 48000Hz"
		Monitor     string `json:"monitor_source"`       // for a source: the sink it monitors (pactl 16's name), "n/a" if none
	}
	if json.Unmarshal(b, &raw) != nil {
		return nil
	}
	var mics, monitors []pulseSource
	for _, r := range raw {
		if r.Name == "" || strings.ContainsAny(r.Name, "\x00\n") {
			continue
		}
		s := pulseSource{Name: r.Name, Description: strings.TrimSpace(r.Description), Channels: 1, Rate: 48000,
			Monitor: r.Monitor != "" && r.Monitor != "n/a"}
		if s.Description == "" {
			s.Description = r.Name
		}
		for _, f := range strings.Fields(r.Spec) {
			if n, err := strconv.Atoi(strings.TrimSuffix(f, "ch")); err == nil && strings.HasSuffix(f, "ch") && n > 0 && n <= 32 {
				s.Channels = n
			}
			if n, err := strconv.Atoi(strings.TrimSuffix(f, "Hz")); err == nil && strings.HasSuffix(f, "Hz") && n >= 8000 && n <= 384000 {
				s.Rate = float64(n)
			}
		}
		if s.Monitor {
			monitors = append(monitors, s)
		} else {
			mics = append(mics, s)
		}
	}
	return append(mics, monitors...)
}

// withPulse appends the sound server's sources to PortAudio's devices when PortAudio has the
// ALSA "pulse" PCM to capture them through; their indices follow PortAudio's.
func withPulse(devs []Device, sources []pulseSource) []Device {
	hasPCM := false
	next := 0
	for _, d := range devs {
		hasPCM = hasPCM || d.Name == "pulse"
		next = max(next, d.Index+1)
	}
	if !hasPCM {
		return devs
	}
	for i, s := range sources {
		name := s.Description
		if s.Monitor {
			name += " (what the machine plays)"
		}
		devs = append(devs, Device{Index: next + i, Name: name, Host: "PulseAudio", Channels: s.Channels,
			SampleRate: s.Rate, Source: s.Name})
	}
	return devs
}
