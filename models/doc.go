// Package models defines Hark's model directory format (model.onnx, tokens.txt, model.json),
// loads model directories from disk, and embeds the default English model in the binary.
package models
