package app

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hark/audio/portaudio"
	"hark/dictation"
)

// TestMicrophoneComesBack unplugs the (fake) microphone mid-utterance: the utterance ends
// with its words kept, the status line says Hark waits, and when the device list shows the
// device again dictation resumes on it by itself.
func TestMicrophoneComesBack(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	u.settings.Device = "USB Mic B"
	u.replugEvery = 20 * time.Millisecond
	var present atomic.Bool
	var polls atomic.Int32
	u.deps.Devices = func() ([]string, error) {
		polls.Add(1)
		if present.Load() {
			return []string{"Mic A", "USB Mic B"}, nil
		}
		return []string{"Mic A"}, nil
	}
	h.loaded()
	h.mics <- newFakeMic(portaudio.ErrDeviceLost, phrase(600))
	u.toggle()
	h.pump("the loss", func() bool {
		return strings.Contains(u.status.Text, `input device "USB Mic B" stopped`) && strings.Contains(u.status.Text, "Waiting for it")
	})
	h.pump("idle", func() bool { return u.ctl.State() == dictation.Idle && len(u.utts) == 1 })
	if u.transcript.Text != "Low." {
		t.Errorf("transcript %q", u.transcript.Text)
	}
	// Still gone: polled, not reopened.
	for polls.Load() < 3 {
		time.Sleep(10 * time.Millisecond)
	}
	if u.ctl.State() != dictation.Idle {
		t.Fatalf("restarted while the device is gone")
	}
	// Listed again but not ready (opening it fails): still waiting, no error shown.
	present.Store(true)
	for n := polls.Load(); polls.Load() < n+3; {
		time.Sleep(10 * time.Millisecond)
	}
	if u.ctl.State() != dictation.Idle || !strings.Contains(u.status.Text, "Waiting for it") {
		t.Fatalf("state %v, status %q", u.ctl.State(), u.status.Text)
	}
	// Back: reopened (the harness hands out the next microphone) and dictating.
	h.mics <- newFakeMic(nil, phrase(2500))
	h.pump("back", func() bool { return strings.Contains(u.status.Text, "is back: listening again") })
	h.pump("second utterance", func() bool { return finished(u, 2) })
	if !strings.HasSuffix(u.transcript.Text, "High.") {
		t.Errorf("transcript %q", u.transcript.Text)
	}
}

// TestRecordCancelsReplugWait: pressing Record (or Stop) while waiting ends the wait.
func TestRecordCancelsReplugWait(t *testing.T) {
	h := newHarness(t, nil)
	u := h.u
	u.replugEvery = 20 * time.Millisecond
	var present atomic.Bool
	u.deps.Devices = func() ([]string, error) {
		if present.Load() {
			return []string{"Mic A"}, nil
		}
		return nil, nil
	}
	h.loaded()
	h.mics <- newFakeMic(portaudio.ErrDeviceLost, phrase(600))
	u.toggle()
	h.pump("the loss", func() bool {
		return strings.Contains(u.status.Text, "Waiting for it") && u.ctl.State() == dictation.Idle
	})
	u.stopReplug()
	present.Store(true)
	time.Sleep(100 * time.Millisecond)
	h.pump("nothing", func() bool { return len(h.queue) == 0 })
	if u.ctl.State() != dictation.Idle || strings.Contains(u.status.Text, "is back") {
		t.Errorf("resumed after the wait was cancelled: %v, %q", u.ctl.State(), u.status.Text)
	}
}
