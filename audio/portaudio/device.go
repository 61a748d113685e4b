package portaudio

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rate is the sample rate captured audio is delivered at.
const Rate = 16000

// ErrNoDevice is returned when the system has no audio input device at all.
var ErrNoDevice = errors.New("no audio input device found (is a microphone connected, and is the user allowed to use audio devices?)")

// ErrDeviceLost is returned by Read when the input device stops delivering audio (it was
// unplugged, or its sound server went away).
var ErrDeviceLost = errors.New("the audio input device stopped delivering audio (unplugged?)")

// ErrUnavailable is returned on builds without PortAudio support (no cgo, another
// platform, or the noportaudio build tag).
var ErrUnavailable = errors.New("audio capture is not available in this build (it needs cgo and PortAudio on Linux, macOS or Windows, and no noportaudio build tag)")

// Device describes one audio input device.
type Device struct {
	Index      int     // PortAudio device index
	Name       string  // device name, as `hark devices` lists it
	Host       string  // host API (ALSA, PulseAudio, Core Audio, WASAPI, ...)
	Channels   int     // maximum input channels
	SampleRate float64 // the device's default (native) sample rate
	Default    bool    // the system's default input device
	// Source is the PulseAudio source this device captures, through the ALSA "pulse" PCM
	// with PULSE_SOURCE set ("" for PortAudio's own devices).
	Source string
}

func (d Device) String() string {
	return fmt.Sprintf("%d: %s (%s, %d ch, %.0f Hz)", d.Index, d.Name, d.Host, d.Channels, d.SampleRate)
}

// Options chooses and configures the capture device. The zero value opens the default
// input device at its native rate.
type Options struct {
	// Device is an index or a name as Devices lists them; a name may also be a unique,
	// case-insensitive part of one. "" or "default" means the default input device.
	Device string
	// Buffer is how much audio is held for a reader that falls behind; 0 means 20 s. Audio
	// arriving when it is full is dropped and counted.
	Buffer time.Duration
	// Watchdog is how long a device that was delivering audio may then deliver nothing
	// before Read reports ErrDeviceLost; 0 means 3 s.
	Watchdog time.Duration
}

// Stats counts capture problems since Open.
type Stats struct {
	Overflows int64 // callbacks in which the device reported lost input (an overflow)
	Dropped   int64 // samples (at the native rate) dropped because the reader fell behind
	Captured  int64 // samples (at the native rate) received
}

// pick chooses a device by Options.Device among devs (inputs only).
func pick(devs []Device, want string) (Device, error) {
	if len(devs) == 0 {
		return Device{}, ErrNoDevice
	}
	want = strings.TrimSpace(want)
	if want == "" || strings.EqualFold(want, "default") {
		for _, d := range devs {
			if d.Default {
				return d, nil
			}
		}
		return devs[0], nil
	}
	if i, err := strconv.Atoi(want); err == nil {
		for _, d := range devs {
			if d.Index == i {
				return d, nil
			}
		}
		return Device{}, fmt.Errorf("no input device with index %d (run `hark devices` to list them)", i)
	}
	for _, d := range devs {
		if d.Name == want {
			return d, nil
		}
	}
	var matches []Device
	for _, d := range devs {
		if strings.EqualFold(d.Name, want) || strings.Contains(strings.ToLower(d.Name), strings.ToLower(want)) {
			matches = append(matches, d)
		}
	}
	switch len(matches) {
	case 0:
		return Device{}, fmt.Errorf("no input device matches %q (run `hark devices` to list them)", want)
	case 1:
		return matches[0], nil
	}
	var names []string
	for _, d := range matches {
		names = append(names, strconv.Quote(d.Name))
	}
	return Device{}, fmt.Errorf("%q matches several input devices (%s): give its index or full name", want, strings.Join(names, ", "))
}
