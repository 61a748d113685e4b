// Package ctc decodes per-frame CTC log-probabilities into tokens, text and timed words with greedy or prefix beam search.
package ctc
