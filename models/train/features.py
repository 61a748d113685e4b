"""Log-mel features, "NeMo preset" of Hark's Go front-end (asr/features).

  input     16 kHz mono, float samples in [-1, 1) (int16 / 32768)
  1. pre-emphasis 0.97 over the whole signal: y[0] = x[0], y[n] = x[n] - 0.97 x[n-1]
  2. STFT: n_fft 512, hop 160, window = symmetric Hann of 400 (periodic=False)
     zero-padded centred in 512 (56 zeros each side); center=True with ZERO
     padding of 256 samples at both ends; frames = 1 + len // 160
  3. power spectrum |X|^2 (257 bins)
  4. 80 mel filters, Slaney mel scale, Slaney area normalisation, 0-8000 Hz
     (librosa.filters.mel(sr=16000, n_fft=512, n_mels=80, htk=False, norm='slaney'))
  5. log(mel + 2**-24)
No per-feature normalisation here: the model subtracts a fixed global mean
and divides by a fixed global std per mel bin (see model.py).
Output layout: [n_mels, frames] (NeMo order), batched [B, 80, T].

`python3 models/train/features.py --dump WAV OUT.npy` writes float32 [80, T]
for parity checks against the Go implementation.
"""
import argparse
import math
import os
import sys

import numpy as np

SR = 16000
N_FFT = 512
HOP = 160
WIN = 400
N_MELS = 80
PREEMPH = 0.97
LOG_GUARD = 2.0 ** -24


def _hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / f_sp)


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filterbank(sr=SR, n_fft=N_FFT, n_mels=N_MELS, fmin=0.0, fmax=8000.0):
    """Slaney-scale, Slaney-normalised filters, [n_mels, n_fft//2+1] float32
    (same formula as librosa.filters.mel with htk=False, norm='slaney')."""
    fftfreqs = np.linspace(0, sr / 2.0, 1 + n_fft // 2)
    mel_pts = np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2)
    mel_f = _mel_to_hz(mel_pts)
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    weights = np.zeros((n_mels, len(fftfreqs)), dtype=np.float64)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels])
    weights *= enorm[:, None]
    return weights.astype(np.float32)


def window_512():
    n = np.arange(WIN, dtype=np.float64)
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * n / (WIN - 1))  # symmetric
    w = np.zeros(N_FFT, dtype=np.float64)
    off = (N_FFT - WIN) // 2
    w[off:off + WIN] = hann
    return w.astype(np.float32)


def num_frames(num_samples):
    return 1 + num_samples // HOP


# ------------------------------------------------------------------ numpy

def features_numpy(x):
    """x: float array (one signal, [-1,1)). Returns float32 [80, frames]."""
    x = np.asarray(x, dtype=np.float64)
    y = np.empty_like(x)
    if len(x):
        y[0] = x[0]
        y[1:] = x[1:] - PREEMPH * x[:-1]
    p = np.pad(y, (N_FFT // 2, N_FFT // 2))
    nf = num_frames(len(x))
    idx = np.arange(nf)[:, None] * HOP + np.arange(N_FFT)[None, :]
    frames = p[idx] * window_512().astype(np.float64)[None, :]
    spec = np.fft.rfft(frames, axis=1)
    power = spec.real ** 2 + spec.imag ** 2
    mel = power @ mel_filterbank().astype(np.float64).T
    return np.log(mel + LOG_GUARD).T.astype(np.float32)


# ------------------------------------------------------------------ torch

class LogMel(object):
    """Batched torch front-end. Call with waveforms [B, N] float32 (padded
    with zeros) and lengths [B] (samples); returns (feats [B, 80, T], flen [B])."""

    def __init__(self, device="cpu"):
        import torch
        self.torch = torch
        self.device = torch.device(device)
        self.window = torch.from_numpy(window_512()).to(self.device)
        self.fb = torch.from_numpy(mel_filterbank()).to(self.device)  # [80, 257]

    def __call__(self, wav, lengths):
        torch = self.torch
        wav = wav.to(self.device, torch.float32)
        lengths = lengths.to(self.device)
        B, N = wav.shape
        y = torch.cat([wav[:, :1], wav[:, 1:] - PREEMPH * wav[:, :-1]], dim=1)
        valid = torch.arange(N, device=self.device)[None, :] < lengths[:, None]
        y = y * valid.to(y.dtype)  # pre-emphasis must not leak into the padding
        y = torch.nn.functional.pad(y, (N_FFT // 2, N_FFT // 2))
        frames = y.unfold(1, N_FFT, HOP) * self.window  # [B, F, 512]
        spec = torch.fft.rfft(frames, dim=-1)
        power = spec.real ** 2 + spec.imag ** 2
        mel = torch.matmul(power, self.fb.t())  # [B, F, 80]
        feats = torch.log(mel + LOG_GUARD).transpose(1, 2).contiguous()
        flen = 1 + torch.div(lengths, HOP, rounding_mode="floor")
        return feats, flen


def _main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dump", nargs=2, metavar=("WAV", "OUT_NPY"), help="write float32 [80, T] features")
    ap.add_argument("--impl", choices=("torch", "numpy"), default="torch")
    ap.add_argument("--selftest", action="store_true", help="compare torch vs numpy on random audio")
    ap.add_argument("--golden", metavar="GOLDEN_BIN",
                    help="compare with the '<case>/nemo' records of testdata/features/golden.bin")
    a = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if a.dump:
        from common import read_audio_16k
        x = read_audio_16k(a.dump[0]).astype(np.float32) / 32768.0
        if a.impl == "numpy":
            f = features_numpy(x)
        else:
            import torch
            f, _ = LogMel()(torch.from_numpy(x)[None], torch.tensor([len(x)]))
            f = f[0].numpy()
        np.save(a.dump[1], f.astype(np.float32))
        print("wrote %s shape %s" % (a.dump[1], f.shape))
    if a.golden:
        import struct
        import torch
        b = open(a.golden, "rb").read()
        assert b[:4] == b"HKFG", "bad magic"
        n, p, rec = struct.unpack("<I", b[4:8])[0], 8, {}
        for _ in range(n):
            ln = struct.unpack("<H", b[p:p + 2])[0]
            name = b[p + 2:p + 2 + ln].decode()
            p += 2 + ln
            r, c = struct.unpack("<II", b[p:p + 8])
            p += 8
            rec[name] = np.frombuffer(b[p:p + 4 * r * c], "<f4").reshape(r, c)
            p += 4 * r * c
        front, worst = LogMel(), 0.0
        for name in sorted(k for k in rec if k.endswith("/nemo")):
            x = rec[name[:-5] + "/samples"][0].copy()
            f, _ = front(torch.from_numpy(x)[None], torch.tensor([len(x)]))
            d = float(np.abs(f[0].numpy().T - rec[name]).max()) if rec[name].size else 0.0
            worst = max(worst, d)
            print("golden %-14s frames %4d  max |diff| %.2e" % (name, rec[name].shape[0], d))
        assert worst < 2e-3, worst
        print("golden parity OK (max |diff| %.2e)" % worst)
    if a.selftest:
        import torch
        rng = np.random.RandomState(0)
        lens = [16000, 12345, 159, 161, 0 + 800]
        N = max(lens) + 1000
        wav = np.zeros((len(lens), N), np.float32)
        for i, L in enumerate(lens):
            wav[i, :L] = (rng.randn(L) * 0.1 * np.sin(np.arange(L) / 50.0)).astype(np.float32)
        f, fl = LogMel()(torch.from_numpy(wav), torch.tensor(lens))
        worst = 0.0
        for i, L in enumerate(lens):
            ref = features_numpy(wav[i, :L])
            assert ref.shape[1] == int(fl[i]) == 1 + L // 160, (ref.shape, int(fl[i]))
            d = np.abs(f[i, :, :ref.shape[1]].numpy() - ref)
            # compare where the mel energy is not vanishingly small (float32 vs float64)
            worst = max(worst, float(d[ref > -15].max()))
        print("torch vs numpy max |diff| (log-mel, bins > -15): %.2e" % worst)
        assert worst < 2e-3
        fb = mel_filterbank()
        print("filterbank", fb.shape, "row sums min/max %.4g %.4g" % (fb.sum(1).min(), fb.sum(1).max()))
        print("selftest OK")


if __name__ == "__main__":
    _main()
