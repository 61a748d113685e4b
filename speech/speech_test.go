package speech

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"hark/asr"
	"hark/audio/audiofile"
)

func TestFrontDoor(t *testing.T) {
	rec, err := Open("../testdata/models/tones", asr.Config{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	b, err := os.ReadFile("../testdata/tones/hello.wav")
	if err != nil {
		t.Fatal(err)
	}
	res, err := rec.Transcribe(context.Background(), bytes.NewReader(b), "hello.wav")
	if err != nil || res.Text != "hello world" {
		t.Fatalf("reader: %q %v", res.Text, err)
	}
	x, err := audiofile.Load("../testdata/tones/hello.wav", 16000)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ { // safe for concurrent use
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res, err := rec.TranscribeSamples(context.Background(), x, 16000); err != nil || res.Text != "hello world" {
				t.Errorf("samples: %q %v", res.Text, err)
			}
		}()
	}
	wg.Wait()
	if _, err := rec.TranscribeSamples(context.Background(), x, 4000); err == nil {
		t.Error("4 kHz accepted")
	}
	if _, err := rec.TranscribeFile(context.Background(), "missing.wav"); err == nil || !strings.Contains(err.Error(), "missing.wav") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open("no/such/model", asr.Config{}); err == nil || !strings.Contains(err.Error(), "no/such/model") {
		t.Errorf("missing model: %v", err)
	}
}
