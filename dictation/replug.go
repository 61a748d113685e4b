package dictation

import (
	"context"
	"strings"
	"time"
)

// WaitForDevice polls list every interval until an input device named name is present again
// (exactly, or as a unique case-insensitive part of a name, as devices are chosen; "" is the
// default device: any device will do). It returns nil then, or ctx's error. Listing errors
// count as "not there yet" (the sound server may be restarting).
func WaitForDevice(ctx context.Context, list func() ([]string, error), name string, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		names, err := list()
		if err == nil && DevicePresent(names, name) {
			return nil
		}
	}
}

// Reopen waits (as WaitForDevice does) until the device named name is listed again, then
// opens it with open; a device that is listed but does not open yet (its sound server still
// starting) means another wait, not an error. It returns the opened source, or ctx's error.
func Reopen[S any](ctx context.Context, list func() ([]string, error), name string, interval time.Duration, open func() (S, error)) (S, error) {
	for {
		if err := WaitForDevice(ctx, list, name, interval); err != nil {
			var zero S
			return zero, err
		}
		if src, err := open(); err == nil {
			return src, nil
		}
	}
}

// DevicePresent reports whether name (see WaitForDevice) is among names.
func DevicePresent(names []string, name string) bool {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "default") {
		return len(names) > 0
	}
	matches := 0
	for _, n := range names {
		if n == name {
			return true
		}
		if strings.Contains(strings.ToLower(n), strings.ToLower(name)) {
			matches++
		}
	}
	return matches == 1
}
