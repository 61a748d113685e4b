// Package loader turns a model directory (or the embedded default) into a ready recognizer:
// ONNX Runtime engine, vocabulary and front-end configured from model.json and the model's
// own metadata.
package loader
