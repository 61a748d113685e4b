package history

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"hark/audio"
	"hark/audio/wav"
	"hark/internal/atomicfile"
	"hark/internal/regfile"
)

// Rate is the sample rate utterances are stored at.
const Rate = 16000

// DefaultMaxBytes caps the store at 500 MB (about 4.3 hours of 16 kHz 16-bit audio).
const DefaultMaxBytes = 500 << 20

// Status says how far an utterance got.
type Status string

// Statuses.
const (
	Pending Status = "pending" // audio saved, not (yet) decoded: a crash happened here
	Decoded Status = "decoded"
	Failed  Status = "failed" // decoding failed; the audio is kept
	Undone  Status = "undone" // removed again by "scratch that" or the undo key
)

// Entry is one utterance's sidecar.
type Entry struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Status    Status    `json:"status"`
	Seconds   float64   `json:"seconds"`
	Raw       string    `json:"raw,omitempty"`       // the recognizer's words
	Text      string    `json:"text,omitempty"`      // formatted text
	Delivered string    `json:"delivered,omitempty"` // where the text went (e.g. "typed with xdotool", "clipboard")
	Model     string    `json:"model,omitempty"`
	Error     string    `json:"error,omitempty"`
}

// Store is a directory of utterances: ID.wav and ID.json. Its methods are safe for
// concurrent use by one process.
type Store struct {
	dir      string
	maxBytes int64

	mu     sync.Mutex
	issued map[string]bool // IDs handed out by this Store
}

// DefaultDir is $XDG_DATA_HOME/hark/utterances, or ~/.local/share/hark/utterances.
func DefaultDir() (string, error) {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("utterance history: no home directory: %w", err)
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "hark", "utterances"), nil
}

// Open opens (creating it, mode 0700) the store in dir. maxBytes caps its size (the oldest
// utterances go first); 0 means DefaultMaxBytes, negative no cap.
func Open(dir string, maxBytes int64) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%s: cannot create the utterance history: %w", dir, err)
	}
	// Writable? Said now, not when the first utterance is lost (issue 17).
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return nil, fmt.Errorf("%s: the utterance history is not writable: %w", dir, errors.Unwrap(err))
	}
	f.Close()
	os.Remove(f.Name())
	if maxBytes == 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Store{dir: dir, maxBytes: maxBytes}, nil
}

// OpenDefault opens the store in DefaultDir.
func OpenDefault(maxBytes int64) (*Store, error) {
	dir, err := DefaultDir()
	if err != nil {
		return nil, err
	}
	return Open(dir, maxBytes)
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// SetMaxBytes changes the cap (0: DefaultMaxBytes, negative: none); it applies at the next Add.
func (s *Store) SetMaxBytes(n int64) {
	if n == 0 {
		n = DefaultMaxBytes
	}
	s.mu.Lock()
	s.maxBytes = n
	s.mu.Unlock()
}

// AudioPath is the WAV file of utterance id.
func (s *Store) AudioPath(id string) string { return filepath.Join(s.dir, id+".wav") }

func (s *Store) metaPath(id string) string { return filepath.Join(s.dir, id+".json") }

// newID returns a sortable ID for time t, unique in the directory.
func (s *Store) newID(t time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	base := strings.Replace(t.UTC().Format("20060102-150405.000"), ".", "-", 1)
	id := base
	for n := 2; s.issued[id] || exists(s.AudioPath(id)) || exists(s.metaPath(id)); n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	if s.issued == nil {
		s.issued = map[string]bool{}
	}
	s.issued[id] = true
	return id
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Add saves an utterance's 16 kHz audio and a Pending sidecar, then trims the store to its
// cap (never removing the new entry). The audio is on disk when Add returns.
func (s *Store) Add(samples []float32, at time.Time) (Entry, error) {
	e := Entry{ID: s.newID(at), Time: at, Status: Pending, Seconds: float64(len(samples)) / Rate}
	if err := wav.WriteFile(s.AudioPath(e.ID), samples, Rate); err != nil {
		return e, err
	}
	if err := s.Update(e); err != nil {
		return e, err
	}
	return e, s.trim(e.ID)
}

// Extend appends samples to utterance id's audio (the next piece of an utterance that
// comes in pieces) and marks it Pending again, since they are not decoded yet; it returns
// the updated entry. The audio is rewritten atomically, as Add writes it; it is on disk
// when Extend returns.
func (s *Store) Extend(id string, samples []float32) (Entry, error) {
	e, err := s.Get(id)
	if err != nil || len(samples) == 0 {
		return e, err
	}
	x, err := s.Audio(id)
	if err != nil {
		return e, err
	}
	x = append(x, samples...)
	if err := wav.WriteFile(s.AudioPath(id), x, Rate); err != nil {
		return e, err
	}
	e.Status, e.Seconds = Pending, float64(len(x))/Rate
	if err := s.Update(e); err != nil {
		return e, err
	}
	return e, s.trim(id)
}

// Update rewrites e's sidecar (atomically).
func (s *Store) Update(e Entry) error {
	if !validID(e.ID) {
		return fmt.Errorf("utterance history: invalid ID %q", e.ID)
	}
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	// Private, like the audio beside it: what someone said.
	return atomicfile.WriteFile(s.metaPath(e.ID), append(data, '\n'), 0o600)
}

// ErrNotFound says there is no utterance with that ID.
var ErrNotFound = errors.New("no such utterance")

// harkID matches the IDs Hark gives utterances (newID): 20060102-150405-000, then -N for a
// second one in the same millisecond.
var harkID = regexp.MustCompile(`^[0-9]{8}-[0-9]{6}-[0-9]{3}(-[0-9]+)?$`)

func validID(id string) bool {
	return id != "" && !strings.ContainsAny(id, `/\`) && !strings.HasPrefix(id, ".")
}

// Get reads utterance id's sidecar.
func (s *Store) Get(id string) (Entry, error) {
	var e Entry
	if !validID(id) {
		return e, fmt.Errorf("%q: %w", id, ErrNotFound)
	}
	p := s.metaPath(id)
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		if exists(s.AudioPath(id)) {
			// Audio without a sidecar: the process died between the two writes.
			return s.orphan(id), nil
		}
		return e, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(data, &e); err != nil {
		return e, fmt.Errorf("%s: invalid utterance record: %w", p, err)
	}
	switch {
	case e.Status != Pending && e.Status != Decoded && e.Status != Failed && e.Status != Undone:
		return Entry{}, fmt.Errorf("%s: invalid utterance record: unknown status %q", p, e.Status)
	case e.Seconds < 0 || e.Seconds > 1e7:
		return Entry{}, fmt.Errorf("%s: invalid utterance record: %v seconds", p, e.Seconds)
	}
	e.ID = id
	return e, nil
}

func (s *Store) orphan(id string) Entry {
	e := Entry{ID: id, Status: Pending}
	if fi, err := os.Stat(s.AudioPath(id)); err == nil {
		e.Time = fi.ModTime()
		e.Seconds = float64(fi.Size()-44) / 2 / Rate
	}
	return e
}

// List returns all utterances, oldest first. Unreadable sidecars are reported in err
// after the readable entries.
func (s *Store) List() ([]Entry, error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.dir, err)
	}
	ids := map[string]bool{}
	for _, de := range des {
		n := de.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		if id, ok := strings.CutSuffix(n, ".wav"); ok && harkID.MatchString(id) {
			ids[id] = true
		} else if id, ok := strings.CutSuffix(n, ".json"); ok && harkID.MatchString(id) {
			ids[id] = true
		}
	}
	var out []Entry
	var errs []error
	for id := range ids {
		e, err := s.Get(id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, errors.Join(errs...)
}

// Pending returns the utterances whose audio was saved but never decoded, oldest first.
func (s *Store) Pending() ([]Entry, error) {
	all, err := s.List()
	var out []Entry
	for _, e := range all {
		if e.Status == Pending {
			out = append(out, e)
		}
	}
	return out, err
}

// Remove deletes utterance id (audio and sidecar).
func (s *Store) Remove(id string) error {
	if !validID(id) {
		return fmt.Errorf("%q: %w", id, ErrNotFound)
	}
	a, m := os.Remove(s.AudioPath(id)), os.Remove(s.metaPath(id))
	if errors.Is(a, os.ErrNotExist) && errors.Is(m, os.ErrNotExist) {
		return fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	for _, err := range []error{a, m} {
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Audio reads utterance id's samples.
func (s *Store) Audio(id string) ([]float32, error) {
	p := s.AudioPath(id)
	f, err := regfile.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d, err := wav.NewDecoder(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	x, err := audio.ReadAll(d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return x, nil
}

// Size is the bytes the store's files take.
func (s *Store) Size() (int64, error) {
	fs, err := s.files()
	var n int64
	for _, f := range fs {
		n += f.size
	}
	return n, err
}

type file struct {
	id   string
	size int64
}

func (s *Store) files() ([]file, error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []file
	for _, de := range des {
		n := de.Name()
		id := strings.TrimSuffix(strings.TrimSuffix(n, ".wav"), ".json")
		if id == n || !harkID.MatchString(id) {
			continue // not Hark's: a user's own file is neither counted nor deleted
		}
		if fi, err := de.Info(); err == nil {
			out = append(out, file{id, fi.Size()})
		}
	}
	return out, nil
}

// trim removes the oldest utterances until the store fits its cap, keeping keep.
func (s *Store) trim(keep string) error {
	s.mu.Lock()
	max := s.maxBytes
	s.mu.Unlock()
	if max < 0 {
		return nil
	}
	fs, err := s.files()
	if err != nil {
		return err
	}
	size := map[string]int64{}
	var total int64
	for _, f := range fs {
		size[f.id] += f.size
		total += f.size
	}
	ids := make([]string, 0, len(size))
	for id := range size {
		ids = append(ids, id)
	}
	// Decoded (and undone) utterances go first, oldest first; failed ones next; pending ones
	// — audio never decoded, what a crash leaves — last (issue 17). IDs sort by time.
	rank := map[string]int{}
	for _, id := range ids {
		switch e, err := s.Get(id); {
		case err != nil || e.Status == Pending:
			rank[id] = 2
		case e.Status == Failed:
			rank[id] = 1
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		if rank[ids[i]] != rank[ids[j]] {
			return rank[ids[i]] < rank[ids[j]]
		}
		return ids[i] < ids[j]
	})
	for _, id := range ids {
		if total <= max {
			break
		}
		if id == keep {
			continue
		}
		if err := s.Remove(id); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		total -= size[id]
	}
	return nil
}
