// Package lm reads, writes, estimates and scores word n-gram language models (ARPA text and
// Hark's compact binary form) for shallow fusion in the CTC beam search.
package lm
