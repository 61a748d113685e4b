package dictation

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"hark/asr/stream"
	"hark/asr/vad"
	"hark/audio"
)

func TestDevicePresent(t *testing.T) {
	names := []string{"USB Mic", "HDA Intel: ALC (hw:0,0)", "pulse", "default"}
	for name, want := range map[string]bool{
		"USB Mic": true, "usb": true, "": true, "default": true, "hw:0,0": true,
		"Blue Yeti": false, "u": false, // "u" matches several
	} {
		if got := DevicePresent(names, name); got != want {
			t.Errorf("DevicePresent(%q) = %v", name, got)
		}
	}
	if DevicePresent(nil, "") {
		t.Error("no devices: default present")
	}
}

func TestWaitForDevice(t *testing.T) {
	var polls atomic.Int32
	list := func() ([]string, error) {
		switch polls.Add(1) {
		case 1:
			return nil, errors.New("sound server restarting")
		case 2:
			return []string{"pulse"}, nil
		}
		return []string{"pulse", "USB Mic"}, nil
	}
	start := time.Now()
	if err := WaitForDevice(context.Background(), list, "USB Mic", 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if n := polls.Load(); n != 3 {
		t.Errorf("%d polls, want 3", n)
	}
	if el := time.Since(start); el < 25*time.Millisecond {
		t.Errorf("returned after %v: it must wait between polls", el)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := WaitForDevice(ctx, func() ([]string, error) { return nil, nil }, "", 10*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("never back: %v", err)
	}
}

func TestReopen(t *testing.T) {
	// Listed, but the first open fails (not ready): another wait, then the second open.
	var opens atomic.Int32
	list := func() ([]string, error) { return []string{"USB Mic"}, nil }
	got, err := Reopen(context.Background(), list, "USB Mic", 5*time.Millisecond, func() (int, error) {
		if opens.Add(1) == 1 {
			return 0, errors.New("busy")
		}
		return 42, nil
	})
	if err != nil || got != 42 || opens.Load() != 2 {
		t.Errorf("Reopen = %d, %v after %d opens", got, err, opens.Load())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := Reopen(ctx, func() ([]string, error) { return nil, nil }, "USB Mic", 5*time.Millisecond,
		func() (int, error) { t.Error("opened a missing device"); return 0, nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("never back: %v", err)
	}
}

// TestStopWhileOpening: Stop (a quick second press, or a hold-to-talk key let go at once)
// while the device is still opening means dictation does not start, and the next Start works.
func TestStopWhileOpening(t *testing.T) {
	opening, release := make(chan struct{}), make(chan struct{})
	m := newMic(nil, nil)
	first := true
	open := func() (audio.Source, error) {
		if first {
			first = false
			close(opening)
			<-release
		}
		return m, nil
	}
	mk := func() (*stream.Streamer, error) {
		return stream.New(loudDecoder{}, vad.NewEnergy(vad.EnergyConfig{}), stream.Config{}), nil
	}
	rec := newRecorder()
	c := New(open, mk, Config{}, rec.update)
	done := make(chan error)
	go func() { done <- c.Start() }()
	<-opening
	c.Stop()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	go func() { c.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("the session started after Stop is still running")
	}
	if c.State() != Idle {
		t.Fatalf("state %v after Stop during opening", c.State())
	}
	select {
	case <-m.closed:
	default:
		t.Error("the source opened after Stop was not closed")
	}
	m2 := newMic(nil, nil)
	m = m2
	if err := c.Start(); err != nil || c.State() != Listening {
		t.Fatalf("Start after: %v, state %v", err, c.State())
	}
	c.Stop()
	c.Wait()
}
