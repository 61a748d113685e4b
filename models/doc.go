// Package models defines Hark's model directory format (model.onnx, tokens.txt, model.json),
// loads model directories from disk, embeds the default English model in the binary, and
// keeps the store of user-installed models: safe import from directories and archives,
// listing, removal and the choice of default.
package models
