// gordonklaus/portaudio's OpenStream trips the race detector's pointer checks (checkptr:
// "pointer arithmetic computed bad pointer value"), so this test of real capture runs
// without -race: go test -run PulseNullSink ./app

//go:build !race

package app

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hark/asr/vad/vadtest"
	"hark/audio"
	"hark/audio/portaudio"
	"hark/audio/wav"
	"hark/dictation"
	"hark/internal/live"
)

// TestPulseNullSinkReplug dictates from a PulseAudio null sink's monitor through PortAudio,
// unloads the sink in the middle of an utterance, loads it again, and checks that the
// utterance was finished, the status line said what happened, and dictation resumed on the
// same device by itself. Skipped without PulseAudio (or with -short).
func TestPulseNullSinkReplug(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, tool := range []string{"pulseaudio", "pactl", "pacat", "paplay"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	tmp := t.TempDir()
	run := filepath.Join(tmp, "run")
	if err := os.MkdirAll(run, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", run)
	t.Setenv("PULSE_RUNTIME_PATH", filepath.Join(run, "pulse"))
	t.Setenv("HOME", tmp)
	t.Setenv("PULSE_SOURCE", "vsink.monitor")
	pa := func(args ...string) (string, error) {
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if out, err := pa("pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--load=module-native-protocol-unix",
		"--log-target=file:"+filepath.Join(tmp, "pulse.log")); err != nil {
		t.Skipf("pulseaudio does not start: %v: %s", err, out)
	}
	t.Cleanup(func() { _, _ = pa("pulseaudio", "--kill") })
	for i := 0; ; i++ {
		if _, err := pa("pactl", "info"); err == nil {
			break
		}
		if i > 50 {
			t.Skip("pulseaudio did not come up")
		}
		time.Sleep(100 * time.Millisecond)
	}
	loadSink := func() string {
		id, err := pa("pactl", "load-module", "module-null-sink", "sink_name=vsink", "rate=16000", "channels=1")
		if err != nil {
			t.Fatalf("load-module: %v: %s", err, id)
		}
		// A microphone delivers audio all the time; a monitor only while something plays.
		feed := exec.Command("pacat", "--playback", "--device=vsink", "--rate=16000", "--channels=1", "--format=s16le", "--latency-msec=20")
		zero, err := os.Open("/dev/zero")
		if err != nil {
			t.Skipf("no /dev/zero: %v", err)
		}
		t.Cleanup(func() { zero.Close() })
		feed.Stdin = zero
		if err := feed.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = feed.Process.Kill(); _ = feed.Wait() })
		return id
	}
	sink := loadSink()

	tone := filepath.Join(tmp, "tone.wav")
	if err := wav.WriteFile(tone, vadtest.Concat(vadtest.White(0.8, 1e-4, 1), vadtest.Tone(3, 600, 0.3), vadtest.White(1.5, 1e-4, 2)), 16000); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, nil)
	u := h.u
	u.settings.Device = "pulse"
	u.replugEvery = 200 * time.Millisecond
	u.deps.OpenInput = func(s Settings) (audio.Source, error) { return live.Open(live.Input{Device: s.Device}) }
	u.deps.Devices = RealDeps().Devices
	if names, err := u.deps.Devices(); err != nil || !dictation.DevicePresent(names, "pulse") {
		if errors.Is(err, portaudio.ErrUnavailable) {
			t.Skip("no PortAudio in this build")
		}
		t.Skipf("PortAudio has no \"pulse\" device (ALSA's pulse plugin: libasound2-plugins): %q, %v", names, err)
	}
	h.loaded()
	u.toggle()
	h.pump("listening", func() bool { return u.ctl.State() == dictation.Listening })
	play := exec.Command("paplay", "--device=vsink", tone)
	if err := play.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = play.Process.Kill(); _ = play.Wait() }() // killed with the sink
	h.pump("speech", func() bool { return u.ctl.State() == dictation.Speech })

	// Unplugged mid-utterance.
	if out, err := pa("pactl", "unload-module", sink); err != nil {
		t.Fatalf("unload-module: %v: %s", err, out)
	}
	lost := time.Now()
	h.pump("the loss", func() bool { return strings.Contains(u.status.Text, "Waiting for it to come back") })
	t.Logf("loss noticed after %v", time.Since(lost).Round(10*time.Millisecond))
	h.pump("the utterance finished", func() bool { return u.ctl.State() == dictation.Idle && len(u.utts) == 1 })
	// (The stand-in decoder names tones by their zero crossings, which the sound server's
	// resampling blurs: only that the words heard were kept is checked.)
	if u.transcript.Text == "" {
		t.Error("the utterance in progress was lost")
	}
	time.Sleep(time.Second)
	h.pump("nothing", func() bool { return len(h.queue) == 0 })
	if u.ctl.State() != dictation.Idle {
		t.Errorf("restarted while the sink is gone (state %v, status %q)", u.ctl.State(), u.status.Text)
	}

	// Plugged in again.
	loadSink()
	back := time.Now()
	h.pump("back", func() bool {
		return strings.Contains(u.status.Text, "is back: listening again") && u.ctl.State() == dictation.Listening
	})
	t.Logf("listening again %v after the sink came back", time.Since(back).Round(10*time.Millisecond))
	play2 := exec.Command("paplay", "--device=vsink", tone)
	if out, err := play2.CombinedOutput(); err != nil {
		t.Fatalf("paplay: %v: %s", err, out)
	}
	h.pump("a second utterance", func() bool { return finished(u, 2) })
}
