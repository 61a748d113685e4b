//go:build !cgo || noportaudio || !(linux || darwin || windows)

package portaudio

// Capture is unavailable in this build; Open always fails with ErrUnavailable.
type Capture struct{}

// Devices fails with ErrUnavailable.
func Devices() ([]Device, error) { return nil, ErrUnavailable }

// Open fails with ErrUnavailable.
func Open(Options) (*Capture, error) { return nil, ErrUnavailable }

// Device returns the zero Device.
func (c *Capture) Device() Device { return Device{} }

// NativeRate is 0.
func (c *Capture) NativeRate() int { return 0 }

// SampleRate is Rate.
func (c *Capture) SampleRate() int { return Rate }

// Read fails with ErrUnavailable.
func (c *Capture) Read([]float32) (int, error) { return 0, ErrUnavailable }

// Buffered is 0.
func (c *Capture) Buffered() int { return 0 }

// Stats is empty.
func (c *Capture) Stats() Stats { return Stats{} }

// Close does nothing.
func (c *Capture) Close() error { return nil }
