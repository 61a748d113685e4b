// Package onnx runs CTC acoustic models with ONNX Runtime through onnxruntime_go; it is the
// only package in Hark's recognizer that uses cgo.
package onnx
