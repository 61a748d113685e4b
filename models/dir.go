package models

import (
	"os"
)

// LoadDir reads a model directory from disk.
func LoadDir(dir string) (*Model, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, &Error{Path: dir, Msg: "cannot open model", Err: err}
	}
	if !st.IsDir() {
		return nil, &Error{Path: dir, Msg: "not a model directory (want a directory holding model.onnx, tokens.txt and model.json)"}
	}
	return Load(os.DirFS(dir), dir)
}
