package models

import (
	"embed"
	"io/fs"
)

//go:embed default/model.onnx default/tokens.txt default/model.json default/lm.bin
var defaultFS embed.FS

// DefaultName is the name under which the embedded model is listed.
const DefaultName = "default"

// Default returns the embedded default English model.
func Default() (*Model, error) {
	sub, err := fs.Sub(defaultFS, "default")
	if err != nil {
		return nil, err
	}
	return Load(sub, "embedded:"+DefaultName)
}
