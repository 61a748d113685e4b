package portaudio

import (
	"testing"
)

// issue 17: the device list showed "pulse" and "default" (ALSA PCMs) where people look for
// their microphone's name. The sound server's sources are listed by description and
// captured through the "pulse" PCM.
func TestPulseSources(t *testing.T) {
	// As pactl 16 prints it (`pactl -f json list sources`, trimmed).
	out := []byte(`[
	 {"index":0,"name":"vsink.monitor","description":"Monitor of Null Output","sample_specification":"s16le 1ch 16000Hz","monitor_source":"vsink"},
	 {"index":1,"name":"alsa_input.usb-Blue_Yeti-00.analog-stereo","description":"Yeti Stereo Microphone Analog Stereo","sample_specification":"s16le 2ch 48000Hz","monitor_source":"n/a"},
	 {"index":2,"name":"","description":"nameless"},
	 {"index":3,"name":"odd","description":"","sample_specification":"garbage 999ch 1Hz"}
	]`)
	got := parsePulseSources(out)
	if len(got) != 3 {
		t.Fatalf("%d sources: %+v", len(got), got)
	}
	if got[0].Name != "alsa_input.usb-Blue_Yeti-00.analog-stereo" || got[0].Channels != 2 || got[0].Rate != 48000 || got[0].Monitor {
		t.Errorf("the microphone first: %+v", got[0])
	}
	if got[1].Description != "odd" || got[1].Channels != 1 || got[1].Rate != 48000 {
		t.Errorf("bad spec falls back: %+v", got[1])
	}
	if !got[2].Monitor || got[2].Rate != 16000 {
		t.Errorf("the monitor last: %+v", got[2])
	}
	if parsePulseSources([]byte("not json")) != nil {
		t.Error("garbage parsed")
	}

	alsa := []Device{{Index: 0, Name: "HDA Intel PCH: ALC257 Analog (hw:0,0)"}, {Index: 4, Name: "pulse"}, {Index: 7, Name: "default", Default: true}}
	devs := withPulse(alsa, got)
	if len(devs) != 6 || devs[3].Index != 8 || devs[3].Name != "Yeti Stereo Microphone Analog Stereo" || devs[3].Source == "" ||
		devs[5].Name != "Monitor of Null Output (what the machine plays)" {
		t.Fatalf("devices %+v", devs)
	}
	if d, err := pick(devs, "yeti"); err != nil || d.Source != "alsa_input.usb-Blue_Yeti-00.analog-stereo" {
		t.Errorf("pick yeti: %+v %v", d, err)
	}
	if d, err := pick(devs, ""); err != nil || d.Name != "default" {
		t.Errorf("the default stays ALSA's: %+v %v", d, err)
	}
	// Without the "pulse" PCM there is nothing to capture them through.
	if got := withPulse(alsa[:1], parsePulseSources(out)); len(got) != 1 {
		t.Errorf("no pulse PCM: %+v", got)
	}
}
