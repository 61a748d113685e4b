package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/schollz/progressbar/v3"

	"hark/asr"
	"hark/asr/subtitle"
	"hark/audio"
	"hark/audio/audiofile"
	"hark/audio/wav"
	"hark/internal/atomicfile"
	"hark/internal/loader"
	"hark/internal/regfile"
	"hark/internal/trace"
)

func init() {
	register(command{"transcribe", "[flags] FILE|DIR|- ...", "transcribe audio files (WAV, FLAC, MP3) to text", runTranscribe})
}

// audioExts are the file name endings picked up when a directory is given.
var audioExts = map[string]bool{".wav": true, ".wave": true, ".flac": true, ".mp3": true, ".ogg": true, ".oga": true, ".opus": true}

var formats = map[string]string{"txt": ".txt", "jsonl": ".jsonl", "json": ".json", "srt": ".srt", "vtt": ".vtt"}

type input struct {
	path string // "-" for stdin
	rel  string // output name relative to -o, without extension
}

type outcome struct {
	in  input
	res asr.Result
	err error
}

// fileResult is the JSON form of one transcription.
type fileResult struct {
	File     string     `json:"file"`
	Text     string     `json:"text"`
	Duration float64    `json:"duration_s"`
	Words    []asr.Word `json:"words"`
	Error    string     `json:"error,omitempty"` // a problem with the input that still gave text (truncated audio)
}

type fileError struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

func runTranscribe(ctx context.Context, env *Env, args []string) int {
	const name = "transcribe"
	fs := newFlags(env, name, "[flags] FILE|DIR|- ...", "Transcribes each input; directories are searched recursively for audio files; - reads a WAV from standard input.")
	model := addModelFlag(fs, "")
	format := fs.String("format", "txt", "output `format`: txt, jsonl, json, srt or vtt")
	outDir := fs.String("o", "", "write one output file per input into `DIR` (created if missing)")
	jobs := fs.Int("jobs", 1, "transcribe `N` files in parallel")
	dec := addDecodeFlags(fs, "ONNX Runtime threads `N` per file")
	post := addPostFlags(fs)
	pos, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	ext, ok := formats[*format]
	switch {
	case !ok:
		return usageErr(env, name, "unknown --format %q (want txt, jsonl, json, srt or vtt)", *format)
	case len(pos) == 0:
		fs.Usage()
		return ExitUsage
	case *jobs < 1 || *jobs > 256:
		return usageErr(env, name, "--jobs %d out of range 1..256", *jobs)
	}
	cfg, err := dec.config()
	if err != nil {
		return usageErr(env, name, "%v", err)
	}
	formatter, err := post.formatter(&cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
		return ExitFailed
	}
	stdinCount := 0
	for _, p := range pos {
		if p == "-" {
			stdinCount++
		}
	}
	if stdinCount > 1 {
		return usageErr(env, name, "- (standard input) given more than once")
	}
	inputs, bad := collectInputs(pos)
	if *outDir != "" {
		inputs, bad = sameOutput(inputs, bad, *outDir, ext)
	}
	if *outDir == "" && (*format == "srt" || *format == "vtt") && len(inputs)+len(bad) > 1 {
		return usageErr(env, name, "--format %s with several inputs needs -o DIR", *format)
	}
	if *outDir != "" {
		if err := os.MkdirAll(*outDir, 0o755); err != nil {
			fmt.Fprintf(env.Stderr, "%s %s: %s\n", programName, name, oneLine(err))
			return ExitFailed
		}
	}

	ld, ok := openModel(env, name, *model, cfg)
	if !ok {
		return ExitFailed
	}
	defer ld.Close()

	var bar *progressbar.ProgressBar
	if env.StderrIsTTY && len(inputs) > 1 {
		bar = progressbar.NewOptions(len(inputs), progressbar.OptionSetWriter(env.Stderr),
			progressbar.OptionSetDescription("transcribing"), progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish())
	}

	results := make([]chan outcome, len(inputs))
	for i := range results {
		results[i] = make(chan outcome, 1)
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(*jobs, max(1, len(inputs))); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				res, err := transcribeOne(ctx, env, ld, inputs[i].path)
				results[i] <- outcome{inputs[i], res, err}
			}
		}()
	}
	go func() {
		for i := range inputs {
			select {
			case work <- i:
			case <-ctx.Done():
				for j := i; j < len(inputs); j++ {
					results[j] <- outcome{inputs[j], asr.Result{}, ctx.Err()}
				}
				close(work)
				return
			}
		}
		close(work)
	}()

	failed := false
	var all []any
	// An error line must not land in the middle of the progress bar (issue 17).
	report := func(env *Env, format, path string, err error) {
		if bar != nil {
			_ = bar.Clear()
		}
		report(env, format, path, err)
	}
	for _, e := range bad {
		failed = true
		report(env, *format, e.in.path, e.err)
		all = append(all, fileError{File: e.in.path, Error: oneLine(e.err)})
	}
	for i := range inputs {
		o := <-results[i]
		if bar != nil {
			_ = bar.Add(1)
		}
		var partial *partialError
		if o.err != nil && !errors.As(o.err, &partial) {
			failed = true
			report(env, *format, o.in.path, o.err)
			if *format == "json" {
				all = append(all, fileError{File: o.in.path, Error: oneLine(o.err)})
			}
			continue
		}
		if partial != nil {
			failed = true
			report(env, "", o.in.path, partial) // stderr only: the JSON object carries it below
		}
		if formatter != nil {
			o.res = formatter.Result(o.res)
		}
		var buf bytes.Buffer
		if err := render(&buf, *format, o.in.path, o.res, *outDir == "" && len(inputs)+len(bad) > 1, partial); err != nil {
			failed = true
			report(env, *format, o.in.path, err)
			continue
		}
		if *outDir != "" {
			if *format == "json" {
				buf.Reset()
				writeJSON(&buf, fileJSON(o.in.path, o.res, partial.orNil()), true)
			}
			dst := filepath.Join(*outDir, o.in.rel+ext)
			if err := writeAtomic(dst, buf.Bytes()); err != nil {
				failed = true
				report(env, *format, o.in.path, err)
			}
			continue
		}
		if *format == "json" {
			all = append(all, fileJSON(o.in.path, o.res, partial.orNil()))
			continue
		}
		env.Stdout.Write(buf.Bytes())
		trace.Mark("text-written")
	}
	wg.Wait()
	if bar != nil {
		_ = bar.Finish()
	}
	if *format == "json" && *outDir == "" {
		var buf bytes.Buffer
		if len(all) == 1 {
			writeJSON(&buf, all[0], true)
		} else {
			if all == nil {
				all = []any{}
			}
			writeJSON(&buf, all, true)
		}
		env.Stdout.Write(buf.Bytes())
	}
	if failed {
		return ExitFailed
	}
	return ExitOK
}

func fileJSON(path string, r asr.Result, problem error) fileResult {
	ws := r.Words
	if ws == nil {
		ws = []asr.Word{}
	}
	fr := fileResult{File: path, Text: r.Text, Duration: round3(r.Duration), Words: roundWords(ws)}
	if problem != nil {
		fr.Error = oneLine(problem)
	}
	return fr
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

func roundWords(ws []asr.Word) []asr.Word {
	out := make([]asr.Word, len(ws))
	for i, w := range ws {
		out[i] = asr.Word{Word: w.Word, Start: round3(w.Start), End: round3(w.End), Confidence: round3(w.Confidence)}
	}
	return out
}

func writeJSON(w io.Writer, v any, indent bool) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	_ = enc.Encode(v)
}

// render writes one result in the chosen format; prefix adds the file name to txt lines.
func render(w io.Writer, format, path string, r asr.Result, prefix bool, problem *partialError) error {
	perr := problem.orNil()
	switch format {
	case "txt":
		if prefix {
			fmt.Fprintf(w, "%s: %s\n", printable(path), r.Text)
		} else {
			fmt.Fprintln(w, r.Text)
		}
	case "jsonl":
		writeJSON(w, fileJSON(path, r, perr), false)
	case "json":
		writeJSON(w, fileJSON(path, r, perr), true)
	case "srt":
		return subtitle.WriteSRT(w, subtitle.Split(r.Words, subtitle.Limits{}))
	case "vtt":
		return subtitle.WriteVTT(w, subtitle.Split(r.Words, subtitle.Limits{}))
	}
	return nil
}

func report(env *Env, format, path string, err error) {
	msg := oneLine(err)
	if name := printable(path); name != path && !errors.Is(err, context.Canceled) {
		// A name with a newline in it must not be split by oneLine's "; " as if it were two
		// lines of message: escape it where the message repeats it.
		msg = oneLine(errors.New(strings.ReplaceAll(err.Error(), path, name)))
	}
	if name := printable(path); !strings.HasPrefix(msg, name+":") {
		msg = name + ": " + msg
	}
	fmt.Fprintf(env.Stderr, "%s: %s\n", programName, msg)
	if format == "jsonl" {
		writeJSON(env.Stdout, fileError{File: path, Error: msg}, false)
	}
}

func transcribeOne(ctx context.Context, env *Env, ld *loader.Loaded, path string) (asr.Result, error) {
	var (
		src    io.Closer
		result asr.Result
	)
	s, closer, err := openAudio(env, path)
	if err != nil {
		return result, err
	}
	src = closer
	defer src.Close()
	tol := &tolerant{Source: s}
	trace.Mark("audio-opened")
	result, err = ld.Recognizer.RecognizeSource(ctx, tol)
	trace.Mark("decoded")
	if errors.Is(err, asr.ErrNoAudio) {
		if tol.truncated != nil {
			return result, withPath(path, tol.truncated)
		}
		return result, fmt.Errorf("%s: no audio in the file (0 samples)", path)
	}
	if err != nil {
		return result, withPath(path, err)
	}
	if tol.truncated != nil {
		// Decode what is there, as sox and ffmpeg do, and still call it a bad input (issue 17).
		return result, &partialError{fmt.Errorf("%w; transcribed the %.1f s present", withPath(path, tol.truncated), float64(tol.n)/float64(s.SampleRate()))}
	}
	return result, nil
}

// partialError is a problem with an input that still gave text: the text is written, the
// problem reported, and the exit code says that something was wrong.
type partialError struct{ err error }

func (e *partialError) Error() string { return e.err.Error() }
func (e *partialError) Unwrap() error { return e.err }

// orNil is e as an error, nil (not a nil pointer in an interface) when e is nil.
func (e *partialError) orNil() error {
	if e == nil {
		return nil
	}
	return e
}

// tolerant ends a stream that a decoder reports as truncated (audio.ErrTruncated) as if it had
// ended there, keeping the error to warn about.
type tolerant struct {
	audio.Source
	truncated error
	n         int64 // samples read
}

func (t *tolerant) Read(p []float32) (int, error) {
	n, err := t.Source.Read(p)
	t.n += int64(n)
	if errors.Is(err, audio.ErrTruncated) {
		t.truncated = err
		err = io.EOF
	}
	return n, err
}

// withPath prefixes err with path unless it is already an error about that file (one of
// audiofile's, regfile's or the os package's, which name it).
func withPath(path string, err error) error {
	var (
		fe *audiofile.FileError
		re *regfile.Error
		pe *fs.PathError
	)
	if errors.As(err, &fe) && fe.Path == path || errors.As(err, &re) && re.Path == path || errors.As(err, &pe) && pe.Path == path {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}

func openAudio(env *Env, path string) (audio.Source, io.Closer, error) {
	if path == "-" {
		d, err := wav.NewDecoder(env.Stdin)
		if err != nil {
			return nil, nil, fmt.Errorf("-: standard input: %w", err)
		}
		return d, io.NopCloser(nil), nil
	}
	return audiofile.Open(path)
}

// collectInputs expands directories (recursively, audio files only, sorted) and reports
// paths that do not exist.
func collectInputs(args []string) ([]input, []outcome) {
	var ins []input
	var bad []outcome
	seen := map[string]bool{}
	add := func(in input) {
		if !seen[in.path] {
			seen[in.path] = true
			ins = append(ins, in)
		}
	}
	for _, a := range args {
		if a == "-" {
			add(input{path: "-", rel: "stdin"})
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			bad = append(bad, outcome{in: input{path: a}, err: fmt.Errorf("%s: %w", a, errors.Unwrap(err))})
			continue
		}
		if !st.IsDir() {
			if !st.Mode().IsRegular() {
				bad = append(bad, outcome{in: input{path: a}, err: notRegular(a, st.Mode())})
				continue
			}
			add(input{path: a, rel: strings.TrimSuffix(filepath.Base(a), filepath.Ext(a))})
			continue
		}
		var found []input
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				bad = append(bad, outcome{in: input{path: p}, err: fmt.Errorf("%s: %w", p, errors.Unwrap(err))})
				return nil
			}
			if d.IsDir() || !audioExts[strings.ToLower(filepath.Ext(p))] {
				return nil
			}
			// A FIFO or device would block in open(2) and ignore Ctrl-C (issue 17); a link is
			// judged by what it points to.
			if st, err := os.Stat(p); err != nil {
				bad = append(bad, outcome{in: input{path: p}, err: fmt.Errorf("%s: %w", p, errors.Unwrap(err))})
				return nil
			} else if !st.Mode().IsRegular() {
				bad = append(bad, outcome{in: input{path: p}, err: notRegular(p, st.Mode())})
				return nil
			}
			rel, _ := filepath.Rel(a, p)
			found = append(found, input{path: p, rel: strings.TrimSuffix(rel, filepath.Ext(rel))})
			return nil
		})
		if err != nil {
			bad = append(bad, outcome{in: input{path: a}, err: err})
		}
		if len(found) == 0 && err == nil {
			bad = append(bad, outcome{in: input{path: a}, err: fmt.Errorf("%s: no audio files (.wav, .flac, .mp3, .ogg, .opus) in this directory", a)})
		}
		sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
		for _, f := range found {
			add(f)
		}
	}
	return ins, bad
}

// notRegular is the error for an input that is not a regular file (a FIFO, a device, a socket).
func notRegular(path string, m fs.FileMode) error {
	kind := "not a regular file"
	switch {
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO), not a regular file"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		kind = "a device, not a regular file"
	case m&fs.ModeSocket != 0:
		kind = "a socket, not a regular file"
	}
	return fmt.Errorf("%s: %s; read it through standard input instead (hark transcribe - < %s)", path, kind, path)
}

// sameOutput moves to bad every input whose output file under -o would be the same as an
// earlier input's (a/x.wav and b/x.wav, x.wav and x.flac): nothing is overwritten silently.
func sameOutput(ins []input, bad []outcome, dir, ext string) ([]input, []outcome) {
	first := map[string]string{}
	kept := ins[:0]
	for _, in := range ins {
		dst := filepath.Join(dir, in.rel+ext)
		if prev, dup := first[dst]; dup {
			bad = append(bad, outcome{in: in, err: fmt.Errorf("%s: its output %s would overwrite the one for %s; transcribe them into separate -o directories, or rename one", in.path, dst, prev)})
			continue
		}
		first[dst] = in.path
		kept = append(kept, in)
	}
	return kept, bad
}

// writeAtomic writes data to path through a temporary file in the same directory and a
// rename, so a reader never sees a half-written file.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o644)
}
