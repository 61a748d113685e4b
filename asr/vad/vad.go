package vad

// Frame geometry shared by every VAD: frames of FrameSize samples at SampleRate.
const (
	SampleRate = 16000
	FrameSize  = 512 // 32 ms
)

// FrameSeconds is the duration of one frame.
const FrameSeconds = float64(FrameSize) / SampleRate

// VAD scores consecutive frames of FrameSize samples at SampleRate. Frame returns the
// probability, in [0, 1], that the frame holds speech; implementations may keep state from
// frame to frame (noise estimates, recurrent state), which Reset clears. A VAD is used by
// one goroutine at a time.
type VAD interface {
	Frame(samples []float32) (speechProb float32)
	Reset()
}

// Failer is implemented by VADs that can fail at run time (a model that stops running).
// After a failure Frame returns 0 and Err the first error.
type Failer interface {
	Err() error
}
