//go:build cgo && !noportaudio && linux

package portaudio

/*
#cgo pkg-config: alsa
#include <alsa/asoundlib.h>

static void harkQuietALSA(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

static void harkSetQuietALSA(void) { snd_lib_error_set_handler(harkQuietALSA); }
*/
import "C"

import (
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

var quietOnce sync.Once

// debugAudio keeps the sound libraries' own diagnostics.
var debugAudio = os.Getenv("HARK_AUDIO_DEBUG") != ""

// quietALSA stops ALSA printing configuration warnings (unknown PCM cards and the like)
// while PortAudio probes devices; HARK_AUDIO_DEBUG=1 keeps them.
func quietALSA() {
	quietOnce.Do(func() {
		if !debugAudio {
			C.harkSetQuietALSA()
		}
	})
}

// quietly runs f with the process's standard error sent to /dev/null: PortAudio's JACK and
// OSS back-ends print "cannot connect to server" chatter there while probing, which is
// noise for Hark's users. HARK_AUDIO_DEBUG=1 keeps it.
func quietly(f func() error) error {
	if debugAudio {
		return f()
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return f()
	}
	defer null.Close()
	saved, err := unix.Dup(2)
	if err != nil {
		return f()
	}
	defer unix.Close(saved)
	if unix.Dup2(int(null.Fd()), 2) != nil {
		return f()
	}
	defer unix.Dup2(saved, 2)
	return f()
}
