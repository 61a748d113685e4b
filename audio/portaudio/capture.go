//go:build cgo && !noportaudio && (linux || darwin || windows)

package portaudio

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	pa "github.com/gordonklaus/portaudio"

	"hark/audio"
)

// Capture is an open input device delivering mono 16 kHz samples. Read blocks until audio
// arrives; Close (from any goroutine) ends it, and a blocked Read then returns io.EOF.
type Capture struct {
	dev    Device
	rate   int // native rate
	chans  int
	q      *ring
	raw    *rawSource
	out    audio.Source // raw resampled to Rate
	stream *pa.Stream
	once   sync.Once
	cerr   error
}

// rawSource is the ring as an audio.Source at the device's rate.
type rawSource struct {
	q    *ring
	rate int
}

func (s *rawSource) SampleRate() int               { return s.rate }
func (s *rawSource) Read(p []float32) (int, error) { return s.q.read(p) }

// initialize starts PortAudio; each successful call must be matched by pa.Terminate.
func initialize() error {
	quietALSA()
	if err := quietly(pa.Initialize); err != nil {
		return fmt.Errorf("cannot start PortAudio: %w", err)
	}
	return nil
}

// Devices lists the input devices.
func Devices() ([]Device, error) {
	if err := initialize(); err != nil {
		return nil, err
	}
	defer pa.Terminate()
	return inputs()
}

func inputs() ([]Device, error) {
	all, err := pa.Devices()
	if err != nil {
		return nil, fmt.Errorf("cannot list audio devices: %w", err)
	}
	def, _ := pa.DefaultInputDevice()
	var out []Device
	for _, d := range all {
		if d.MaxInputChannels < 1 {
			continue
		}
		host := ""
		if d.HostApi != nil {
			host = d.HostApi.Name
		}
		out = append(out, Device{Index: d.Index, Name: d.Name, Host: host, Channels: d.MaxInputChannels,
			SampleRate: d.DefaultSampleRate, Default: def != nil && def.Index == d.Index})
	}
	return withPulse(out, pulseSources()), nil
}

// Open starts capturing from the chosen device at its native rate.
func Open(opts Options) (*Capture, error) {
	if err := initialize(); err != nil {
		return nil, err
	}
	c, err := open(opts)
	if err != nil {
		pa.Terminate()
		return nil, err
	}
	return c, nil
}

func open(opts Options) (*Capture, error) {
	devs, err := inputs()
	if err != nil {
		return nil, err
	}
	dev, err := pick(devs, opts.Device)
	if err != nil {
		return nil, err
	}
	all, err := pa.Devices()
	if err != nil {
		return nil, fmt.Errorf("cannot list audio devices: %w", err)
	}
	var info *pa.DeviceInfo
	for _, d := range all {
		if (dev.Source == "" && d.Index == dev.Index) || (dev.Source != "" && d.Name == "pulse" && d.MaxInputChannels > 0) {
			info = d
		}
	}
	if dev.Source != "" {
		// A PulseAudio source: the "pulse" PCM captures it when PULSE_SOURCE names it.
		if err := os.Setenv("PULSE_SOURCE", dev.Source); err != nil {
			return nil, fmt.Errorf("input device %q: %w", dev.Name, err)
		}
	}
	if info == nil {
		return nil, fmt.Errorf("input device %q disappeared", dev.Name)
	}
	rate := int(info.DefaultSampleRate + 0.5)
	if rate < 8000 || rate > 384000 {
		rate = 48000
	}
	buffer, watchdog := opts.Buffer, opts.Watchdog
	if buffer <= 0 {
		buffer = 20 * time.Second
	}
	if watchdog <= 0 {
		watchdog = 3 * time.Second
	}
	c := &Capture{dev: dev, rate: rate}
	c.q = newRing(int(buffer.Seconds()*float64(rate)), watchdog)
	c.raw = &rawSource{q: c.q, rate: rate}

	var lastErr error
	for _, ch := range []int{1, min(2, info.MaxInputChannels)} {
		if ch < 1 || (ch == 2 && lastErr == nil) {
			continue
		}
		p := pa.HighLatencyParameters(info, nil)
		p.Input.Channels = ch
		p.Input.Latency = info.DefaultLowInputLatency
		p.SampleRate = float64(rate)
		// 32 ms, one VAD frame: 10 ms woke Hark and the sound server 100 times a second (issue 19:
		// scripts/live-cpu.sh in silence 8.7% → 4.9% of a core; 20 ms: 6.1%) for ~25 ms of latency.
		p.FramesPerBuffer = rate * 32 / 1000
		c.chans = ch
		mono := make([]float32, p.FramesPerBuffer*4)
		cb := func(in []float32, _ pa.StreamCallbackTimeInfo, flags pa.StreamCallbackFlags) {
			x := in
			if c.chans > 1 {
				frames := len(in) / c.chans
				if cap(mono) < frames {
					mono = make([]float32, frames)
				}
				x = mono[:frames]
				for i := range x {
					var s float32
					for k := 0; k < c.chans; k++ {
						s += in[i*c.chans+k]
					}
					x[i] = s / float32(c.chans)
				}
			}
			c.q.write(x, flags&pa.InputOverflow != 0)
		}
		c.stream, lastErr = pa.OpenStream(p, cb)
		if lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		return nil, fmt.Errorf("cannot open input device %q at %d Hz: %w", dev.Name, rate, lastErr)
	}
	if err := c.stream.Start(); err != nil {
		c.stream.Close()
		return nil, fmt.Errorf("cannot start input device %q: %w", dev.Name, err)
	}
	c.out = audio.Resample(c.raw, Rate)
	return c, nil
}

// Device returns the device being captured.
func (c *Capture) Device() Device { return c.dev }

// NativeRate is the rate the device delivers at.
func (c *Capture) NativeRate() int { return c.rate }

// SampleRate is always Rate (16 kHz).
func (c *Capture) SampleRate() int { return Rate }

// Read fills p with 16 kHz samples, blocking until there are enough. It returns io.EOF
// after Close and ErrDeviceLost if the device stops delivering.
func (c *Capture) Read(p []float32) (int, error) {
	n, err := c.out.Read(p)
	if errors.Is(err, ErrDeviceLost) {
		err = fmt.Errorf("%s: %w", c.dev.Name, err)
	}
	return n, err
}

// Buffered is how many 16 kHz samples are waiting to be read (approximately).
func (c *Capture) Buffered() int { return int(int64(c.q.buffered()) * Rate / int64(c.rate)) }

// Stats returns overflow and drop counts.
func (c *Capture) Stats() Stats { return c.q.snapshot() }

// Close stops the device. It is safe to call more than once and concurrently with Read.
func (c *Capture) Close() error {
	c.once.Do(func() {
		c.q.close()
		c.cerr = errors.Join(c.stream.Abort(), c.stream.Close())
		pa.Terminate()
	})
	return c.cerr
}
