package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"hark/audio"
	"hark/audio/portaudio"
	"hark/dictation"
)

// replugInterval is how often the device list is read while waiting for a lost microphone.
const replugInterval = 2 * time.Second

// deviceLost starts waiting for the microphone that disappeared mid-dictation: the device
// list is polled and dictation resumes on the same device when it is back (UI goroutine).
func (u *UI) deviceLost(err error) {
	u.mu.Lock()
	name, replaying, list := u.settings.Device, u.inputLabel != "", u.deps.Devices
	every := u.replugEvery
	u.mu.Unlock()
	if !errors.Is(err, portaudio.ErrDeviceLost) || replaying || list == nil {
		return
	}
	if every <= 0 {
		every = replugInterval
	}
	u.stopReplug()
	ctx, cancel := context.WithCancel(context.Background())
	u.mu.Lock()
	u.replugCancel = cancel
	u.mu.Unlock()
	label := deviceLabel(name)
	u.setStatus(fmt.Sprintf("The %s stopped (unplugged?); what was recognised is kept. Waiting for it to come back…", label))
	go func() {
		src, err := dictation.Reopen(ctx, list, name, every, u.openInput)
		if err != nil {
			return
		}
		u.ctl.Wait() // the lost session has ended
		u.do(func() {
			if ctx.Err() != nil || u.ctl.State() != dictation.Idle {
				closeSource(src)
				return
			}
			u.mu.Lock()
			u.reopened = src
			u.mu.Unlock()
			u.toggle()
			u.setStatus(fmt.Sprintf("The %s is back: listening again.", label))
		})
	}()
}

// stopReplug stops waiting for a lost device (Record pressed, window closed).
func (u *UI) stopReplug() {
	u.mu.Lock()
	cancel := u.replugCancel
	u.replugCancel = nil
	u.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func closeSource(src audio.Source) {
	if c, ok := src.(io.Closer); ok {
		_ = c.Close()
	}
}

func deviceLabel(name string) string {
	if name == "" {
		return "default input device"
	}
	return fmt.Sprintf("input device %q", name)
}
