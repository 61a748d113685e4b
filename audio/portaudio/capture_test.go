//go:build cgo && !noportaudio && (linux || darwin || windows)

package portaudio

import (
	"errors"
	"testing"
)

// Devices must work (or say there are none) on any machine, with or without sound hardware.
func TestDevicesListsInputsOnly(t *testing.T) {
	devs, err := Devices()
	if err != nil {
		t.Fatalf("Devices: %v", err)
	}
	for _, d := range devs {
		if d.Channels < 1 || d.Name == "" {
			t.Errorf("device %+v is not an input", d)
		}
	}
	if len(devs) == 0 {
		if _, err := Open(Options{}); !errors.Is(err, ErrNoDevice) {
			t.Errorf("Open with no devices: %v, want ErrNoDevice", err)
		}
	}
	if _, err := Open(Options{Device: "no such device anywhere"}); err == nil {
		t.Error("opening a device that does not exist succeeded")
	}
}
