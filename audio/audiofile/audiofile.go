package audiofile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"hark/audio"
	"hark/audio/wav"
	"hark/internal/regfile"
)

// ErrUnsupported is wrapped by the errors for files that are not audio in a
// format this package decodes.
var ErrUnsupported = errors.New("unsupported audio file")

// unsupportedError is an error with its own message that matches
// ErrUnsupported under errors.Is.
type unsupportedError struct{ msg string }

func (e *unsupportedError) Error() string { return e.msg }
func (e *unsupportedError) Unwrap() error { return ErrUnsupported }

// FileError is a problem with one input file: every error of this package names its file
// this way, so that callers can tell (errors.As) whether a message names the file already.
type FileError struct {
	Path string // as given to Open (StdinName for standard input)
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

func fileErr(path string, err error) error { return &FileError{Path: path, Err: err} }

// StdinName is how errors name standard input, which Open reads for "-".
const StdinName = "stdin"

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// Open opens the audio file at path, or standard input if path is "-", and
// returns a mono Source at the file's own sample rate and a Closer that
// releases the file (for standard input it does nothing).
//
// The format is recognised from the content, not the name: WAV
// (RIFF/WAVE, see package wav), FLAC and MP3 (optionally with ID3v2 tags) are
// decoded, all with bounded memory and without seeking, so pipes work too.
// Multi-channel audio is averaged to mono. Errors, including those the
// Source's Read returns later, start with the file's path ("stdin" for "-").
// A stream that ends early yields its samples and then an error wrapping
// audio.ErrTruncated.
func Open(path string) (audio.Source, io.Closer, error) {
	if path == "-" {
		src, err := OpenReader(os.Stdin, StdinName)
		if err != nil {
			return nil, nil, err
		}
		return src, nopCloser{}, nil
	}
	f, err := regfile.Open(path) // a FIFO or device is refused, not waited on
	if err != nil {
		var re *regfile.Error
		if errors.As(err, &re) {
			return nil, nil, fileErr(path, fmt.Errorf("is %s, not an audio file: %w", re.Kind, regfile.ErrNotRegular))
		}
		return nil, nil, err // *PathError names the file
	}
	src, err := OpenReader(f, path)
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return src, f, nil
}

// OpenReader is Open for a stream that is already open; name is used in
// error messages. r is read front to back only.
func OpenReader(r io.Reader, name string) (audio.Source, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(SniffLen)
	if err != nil && err != io.EOF {
		return nil, fileErr(name, err)
	}
	if len(head) == 0 {
		return nil, fileErr(name, &unsupportedError{"not a supported audio file (empty file)"})
	}
	// Skip ID3v2 tags (MP3 and some FLAC files carry them) here, so the
	// decoders need not allocate them whole and the content can be sniffed.
	tagged := false
	for {
		n := id3Size(head)
		if n == 0 {
			break
		}
		if _, err := br.Discard(n); err != nil {
			if err == io.EOF {
				return nil, fileErr(name, &unsupportedError{"not a supported audio file (only an ID3 tag, no audio)"})
			}
			return nil, fileErr(name, err)
		}
		head, err = br.Peek(SniffLen)
		if err != nil && err != io.EOF {
			return nil, fileErr(name, err)
		}
		if len(head) == 0 {
			return nil, fileErr(name, &unsupportedError{"not a supported audio file (only an ID3 tag, no audio)"})
		}
		tagged = true
	}

	k := Sniff(head)
	if tagged && k == Unknown {
		k = MP3 // after a tag, let the MP3 decoder search for the first frame
	}
	src, err := decode(k, br, name)
	if err != nil {
		return nil, err
	}
	return &namedSource{src: src, name: name}, nil
}

// decode starts the decoder for a stream of kind k.
func decode(k Kind, br *bufio.Reader, name string) (audio.Source, error) {
	switch k {
	case WAV:
		d, err := wav.NewDecoder(br)
		if err != nil {
			return nil, fileErr(name, err)
		}
		return d, nil
	case FLAC:
		return openFLAC(br, name)
	case MP3:
		return openMP3(br, name)
	case Ogg:
		return nil, fileErr(name, &unsupportedError{fmt.Sprintf("Ogg audio is not supported; convert it first, e.g. `sox %s out.wav` or `ffmpeg -i %s out.wav`", name, name)})
	case Unknown:
		return nil, fileErr(name, &unsupportedError{"not a supported audio file (Hark reads WAV, FLAC and MP3)"})
	}
	return nil, fileErr(name, &unsupportedError{fmt.Sprintf("not a supported audio file (it looks like %v; Hark reads WAV, FLAC and MP3, convert it first, e.g. with sox or ffmpeg)", k)})
}

// namedSource prefixes the errors of src with the file name.
type namedSource struct {
	src  audio.Source
	name string
}

func (s *namedSource) SampleRate() int { return s.src.SampleRate() }

func (s *namedSource) Read(p []float32) (int, error) {
	n, err := s.src.Read(p)
	if err != nil && err != io.EOF {
		err = fileErr(s.name, err)
	}
	return n, err
}

func checkRate(name, format string, rate int) error {
	if rate < audio.MinSampleRate || rate > audio.MaxSampleRate {
		return fileErr(name, fmt.Errorf("%s sample rate %d Hz is not supported (want %d..%d Hz)", format, rate, audio.MinSampleRate, audio.MaxSampleRate))
	}
	return nil
}

// Load reads the audio file at path ("-" for standard input), resamples it
// to rate and returns all samples. A file without samples gives an empty
// slice and no error; callers report "no audio". If the file is truncated,
// Load returns the samples it has together with an error wrapping
// audio.ErrTruncated, so callers can warn and go on.
func Load(path string, rate int) ([]float32, error) {
	if rate < audio.MinSampleRate || rate > audio.MaxSampleRate {
		return nil, fileErr(path, fmt.Errorf("cannot load at %d Hz (want %d..%d Hz)", rate, audio.MinSampleRate, audio.MaxSampleRate))
	}
	src, c, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	samples, err := audio.ReadAll(audio.Resample(src, rate))
	if err != nil && !errors.Is(err, audio.ErrTruncated) {
		return nil, err
	}
	if err != nil {
		return samples, err
	}
	return samples, nil
}
