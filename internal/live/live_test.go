package live

import (
	"context"
	"io"
	"strings"
	"testing"

	"hark/asr/stream"
)

const (
	tones    = "../../testdata/models/tones"
	toneWAVs = "../../testdata/tones"
)

func TestReplayFileThroughEngine(t *testing.T) {
	e, err := Load(Options{Model: tones, VAD: VADEnergy})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.ModelName() != "tones" || e.VADName() != VADEnergy {
		t.Errorf("model %q, VAD %q", e.ModelName(), e.VADName())
	}
	for _, name := range []string{"hello", "its"} {
		src, err := Open(Input{File: toneWAVs + "/" + name + ".wav", Fast: true})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(src.Describe(), name+".wav") {
			t.Errorf("Describe %q", src.Describe())
		}
		st, err := e.NewStreamer()
		if err != nil {
			t.Fatal(err)
		}
		// Provisional finals are off by default: the text comes in the utterance's one final.
		var finals []string
		provisional := 0
		if err := st.Run(context.Background(), src, func(ev stream.Event) {
			if ev.Kind == stream.Final && ev.Text != "" {
				finals = append(finals, ev.Text)
			}
			if ev.Kind == stream.Final && ev.Provisional {
				provisional++
			}
		}); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"hello": "hello world", "its": "it's a test"}[name]
		if len(finals) != 1 || finals[0] != want || provisional != 0 {
			t.Errorf("%s: finals %q (%d provisional), want %q", name, finals, provisional, want)
		}
		src.Close()
	}
}

func TestCloseEndsReplay(t *testing.T) {
	src, err := Open(Input{File: toneWAVs + "/hello.wav"}) // real time
	if err != nil {
		t.Fatal(err)
	}
	p := make([]float32, 160)
	if _, err := src.Read(p); err != nil {
		t.Fatal(err)
	}
	src.Close()
	src.Close()
	if _, err := src.Read(p); err != io.EOF {
		t.Errorf("read after Close: %v, want io.EOF", err)
	}
}

func TestSileroAndErrors(t *testing.T) {
	e, err := Load(Options{Model: tones})
	if err != nil {
		t.Fatal(err)
	}
	if e.VADName() != VADSilero {
		t.Errorf("default VAD %q", e.VADName())
	}
	if err := e.Close(); err != nil {
		t.Error(err)
	}
	if _, err := Load(Options{Model: tones, VAD: "webrtc"}); err == nil || !strings.Contains(err.Error(), "webrtc") {
		t.Errorf("unknown VAD: %v", err)
	}
	if _, err := Load(Options{Model: "no/such/model"}); err == nil {
		t.Error("missing model loaded")
	}
	if _, err := Open(Input{File: "no-such.wav"}); err == nil {
		t.Error("missing file opened")
	}
}
