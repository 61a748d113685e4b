package dictation

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"hark/audio/wav"
)

// Cue is a short sound that tells the user what dictation did.
type Cue int

// Cues.
const (
	CueStart     Cue = iota // listening began: two rising notes
	CueStop                 // listening ended: two falling notes
	CueDelivered            // text was inserted: one short high note
)

// CueSamples generates a cue at rate Hz: sine notes with 5 ms fades, at -18 dBFS.
func CueSamples(c Cue, rate int) []float32 {
	notes := map[Cue][]float64{CueStart: {660, 880}, CueStop: {880, 660}, CueDelivered: {1320}}[c]
	n := rate * 70 / 1000
	fade := rate * 5 / 1000
	var out []float32
	for _, f := range notes {
		for i := range n {
			env := math.Min(1, math.Min(float64(i), float64(n-1-i))/float64(fade))
			out = append(out, float32(0.125*env*math.Sin(2*math.Pi*f*float64(i)/float64(rate))))
		}
	}
	return out
}

// ErrNoPlayer says that no command to play sounds is installed.
var ErrNoPlayer = errors.New("audio cues need paplay (pulseaudio-utils) or aplay (alsa-utils)")

// Player plays cues with paplay or aplay, in the background.
type Player struct {
	tool string
	dir  string
	once sync.Once
	err  error
}

// FindPlayer looks for paplay, then aplay.
func FindPlayer() (*Player, error) {
	for _, t := range []string{"paplay", "aplay"} {
		if p, err := exec.LookPath(t); err == nil {
			return &Player{tool: p}, nil
		}
	}
	return nil, ErrNoPlayer
}

// Play starts playing c and returns without waiting for it to finish.
func (p *Player) Play(c Cue) error {
	p.once.Do(func() {
		p.dir, p.err = os.MkdirTemp("", "hark-cues-")
		for _, c := range []Cue{CueStart, CueStop, CueDelivered} {
			if p.err == nil {
				p.err = wav.WriteFile(filepath.Join(p.dir, fmt.Sprintf("cue%d.wav", c)), CueSamples(c, 16000), 16000)
			}
		}
	})
	if p.err != nil {
		return p.err
	}
	return PlayFile(p.tool, filepath.Join(p.dir, fmt.Sprintf("cue%d.wav", c)))
}

// PlayFile plays a WAV file with tool (paplay or aplay) in the background.
func PlayFile(tool, path string) error {
	args := []string{path}
	if filepath.Base(tool) == "aplay" {
		args = []string{"-q", path}
	}
	cmd := exec.Command(tool, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: cannot play with %s: %w", path, filepath.Base(tool), err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// Close removes the generated cue files.
func (p *Player) Close() error {
	if p.dir == "" {
		return nil
	}
	return os.RemoveAll(p.dir)
}

// Tool is the player command's path.
func (p *Player) Tool() string { return p.tool }
