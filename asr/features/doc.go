// Package features turns 16 kHz mono audio into log-mel filterbank frames, matching NeMo's and Kaldi's front-ends.
package features
