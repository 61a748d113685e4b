package lm

import (
	"errors"
	"fmt"
)

// FormatError reports a language-model file that Hark cannot use: the file, the line (for
// text formats; 0 when it does not apply) and what is wrong.
type FormatError struct {
	Name string // file name as given by the caller
	Line int    // 1-based line number, 0 if not applicable
	Msg  string
}

func (e *FormatError) Error() string {
	name := e.Name
	if name == "" {
		name = "lm"
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", name, e.Line, e.Msg)
	}
	return name + ": " + e.Msg
}

// ErrFormat is matched (errors.Is) by every *FormatError.
var ErrFormat = errors.New("invalid language model")

// Is makes errors.Is(err, ErrFormat) true for format errors.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

func errorf(name string, line int, format string, a ...any) error {
	return &FormatError{Name: name, Line: line, Msg: fmt.Sprintf(format, a...)}
}
