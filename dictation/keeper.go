package dictation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"hark/asr"
	"hark/asr/stream"
	"hark/dictation/history"
)

// Keeper saves what dictation hears in a history store: its Keep, KeepMore and Record are a
// Controller's Config hooks of the same names, so the window and `hark listen` keep
// utterances the same way. The audio is saved before it is decoded (a crash leaves it
// pending), the outcome once it is known.
type Keeper struct {
	// Store is the history to write to; nil (or a nil store) keeps nothing.
	Store func() *history.Store
	// Model names the model that decodes (written into each entry); nil: none.
	Model func() string
	// Failed is told when an outcome cannot be written (Keep and KeepMore return their
	// errors to the controller, which reports them as Failed updates).
	Failed func(error)
}

func (k *Keeper) store() *history.Store {
	if k == nil || k.Store == nil {
		return nil
	}
	return k.Store()
}

// Keep saves an utterance's audio and returns its history ID ("" when nothing is kept).
func (k *Keeper) Keep(samples []float32) (string, error) {
	st := k.store()
	if st == nil {
		return "", nil
	}
	e, err := st.Add(samples, time.Now())
	return e.ID, err
}

// KeepMore adds the next piece of an utterance's audio to its entry.
func (k *Keeper) KeepMore(id string, samples []float32) error {
	st := k.store()
	if st == nil {
		return nil
	}
	_, err := st.Extend(id, samples)
	return err
}

// Record writes how an utterance ended (or where it stands, for one still coming in
// pieces) into its entry.
func (k *Keeper) Record(u Utterance) {
	st := k.store()
	if st == nil || u.ID == "" {
		return
	}
	e, err := st.Get(u.ID)
	if err != nil {
		return // removed meanwhile (size cap, or deleted in the History window)
	}
	e.Raw, e.Delivered = u.Raw, u.Delivered
	switch {
	case u.Err != nil:
		e.Status, e.Text, e.Error = history.Failed, u.Text, oneLine(u.Err)
	case u.Undone:
		e.Status = history.Undone
	case u.Command:
		e.Status, e.Text, e.Delivered = history.Decoded, "", "command: "+u.Raw
	case u.Raw == "":
		e.Status, e.Error = history.Decoded, "no words recognised"
	default:
		e.Status, e.Text, e.Error = history.Decoded, u.Text, ""
	}
	if k.Model != nil {
		e.Model = k.Model()
	}
	if err := st.Update(e); err != nil && k.Failed != nil {
		k.Failed(err)
	}
}

// Redecode decodes a saved utterance again, as one utterance with the batch recognizer
// (which sees all of it, however it was cut while dictating), and records the result:
// format turns the raw words into written text (nil: raw). The window's History and `hark
// history redecode` both come here, so the same audio gives the same text.
func (k *Keeper) Redecode(ctx context.Context, rec stream.Decoder, id string, format func(raw string) string) (history.Entry, error) {
	st := k.store()
	if st == nil {
		return history.Entry{}, errors.New("the utterance history is off")
	}
	e, err := st.Get(id)
	if err != nil {
		return e, err
	}
	x, err := st.Audio(id)
	if err != nil {
		return e, err
	}
	r, err := rec.Recognize(ctx, x)
	if k.Model != nil {
		e.Model = k.Model()
	}
	if err != nil && !errors.Is(err, asr.ErrNoAudio) {
		e.Status, e.Error = history.Failed, oneLine(err)
		return e, errors.Join(fmt.Errorf("%s: %w", st.AudioPath(id), err), st.Update(e))
	}
	e.Status, e.Error, e.Raw, e.Text = history.Decoded, "", r.Text, r.Text
	if format != nil {
		e.Text = format(r.Text)
	}
	if r.Text == "" {
		e.Error = "no words recognised"
	}
	return e, st.Update(e)
}

// oneLine keeps an error message to one line.
func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
}
