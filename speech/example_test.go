package speech_test

import (
	"context"
	"fmt"
	"log"

	"hark/asr"
	"hark/speech"
)

// Transcribe a file with a model directory (here the tiny test model that spells words from
// tones; use "" for the user's default model).
func Example() {
	rec, err := speech.Open("../testdata/models/tones", asr.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer rec.Close()
	res, err := rec.TranscribeFile(context.Background(), "../testdata/tones/hello.wav")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Text)
	for _, w := range res.Words {
		fmt.Printf("%s %.2f-%.2f\n", w.Word, w.Start, w.End)
	}
	// Output:
	// Hello world.
	// Hello 0.32-1.24
	// world. 1.52-2.44
}
