#!/usr/bin/env python3
"""Independent numpy/scipy reference for hark/asr/features; writes golden.bin.

Regenerate with:  /usr/bin/python3 testdata/features/reference.py   (from the repo root)

golden.bin layout (little-endian): b"HKFG", uint32 record count, then per record:
uint16 name length, name (ASCII), uint32 rows, uint32 cols, rows*cols float32.
Record names are "<case>/<kind>"; kind "samples" is the 1 x n input signal.
"""
import os
import struct

import numpy as np
from scipy.signal import chirp
from scipy.signal.windows import hann

SR = 16000
N_FFT = 512
HOP = 160
WIN = 400


# ---------------------------------------------------------------- NeMo preset
def slaney_hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    logstep = np.log(6.4) / 27.0
    lin = f / f_sp
    log = min_log_hz / f_sp + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep
    return np.where(f >= min_log_hz, log, lin)


def slaney_mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def slaney_filterbank(n_mels, sr=SR, n_fft=N_FFT, fmin=0.0, fmax=None):
    """librosa.filters.mel(..., htk=False, norm='slaney') written out from its definition."""
    if fmax is None:
        fmax = sr / 2
    fft_freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    mels = np.linspace(slaney_hz_to_mel(fmin), slaney_hz_to_mel(fmax), n_mels + 2)
    hz = slaney_mel_to_hz(mels)
    fb = np.zeros((n_mels, len(fft_freqs)))
    for i in range(n_mels):
        rising = (fft_freqs - hz[i]) / (hz[i + 1] - hz[i])
        falling = (hz[i + 2] - fft_freqs) / (hz[i + 2] - hz[i + 1])
        fb[i] = np.maximum(0.0, np.minimum(rising, falling)) * (2.0 / (hz[i + 2] - hz[i]))
    return fb.astype(np.float32).astype(np.float64)  # librosa returns float32


def nemo_logmel(x, n_mels=80):
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if n == 0:
        return np.zeros((0, n_mels))
    y = np.concatenate([x[:1], x[1:] - 0.97 * x[:-1]])
    padded = np.pad(y, (N_FFT // 2, N_FFT // 2), mode="constant")
    frames = 1 + n // HOP
    idx = np.arange(frames)[:, None] * HOP + np.arange(N_FFT)[None, :]
    window = np.zeros(N_FFT)
    left = (N_FFT - WIN) // 2
    window[left:left + WIN] = hann(WIN, sym=True)
    power = np.abs(np.fft.rfft(padded[idx] * window, axis=1)) ** 2
    mel = power @ slaney_filterbank(n_mels).T
    return np.log(mel + 2.0 ** -24)


# --------------------------------------------------------------- Kaldi preset
def htk_mel(f):
    return 1127.0 * np.log(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def kaldi_filterbank(n_mels, sr=SR, n_fft=N_FFT, low=20.0, high=SR / 2 - 400.0):
    """Kaldi MelBanks: triangles defined in the mel domain over bins 0..n_fft/2-1."""
    lo, hi = htk_mel(low), htk_mel(high)
    delta = (hi - lo) / (n_mels + 1)
    bin_mel = htk_mel(np.arange(n_fft // 2) * sr / n_fft)
    fb = np.zeros((n_mels, n_fft // 2 + 1))
    for m in range(n_mels):
        l, c, r = lo + m * delta, lo + (m + 1) * delta, lo + (m + 2) * delta
        up = (bin_mel - l) / (c - l)
        down = (r - bin_mel) / (r - c)
        w = np.where(bin_mel <= c, up, down)
        fb[m, : n_fft // 2] = np.where((bin_mel > l) & (bin_mel < r), w, 0.0)
    return fb


def kaldi_fbank(x, n_mels=80, scale=1.0):
    x = np.asarray(x, dtype=np.float64) * scale
    n = len(x)
    frames = (n + HOP // 2) // HOP
    if frames == 0:
        return np.zeros((0, n_mels))
    idx = np.arange(frames)[:, None] * HOP - (WIN - HOP) // 2 + np.arange(WIN)[None, :]
    while ((idx < 0) | (idx >= n)).any():
        idx = np.where(idx < 0, -idx - 1, idx)
        idx = np.where(idx >= n, 2 * n - 1 - idx, idx)
    fr = x[idx]
    fr = fr - fr.mean(axis=1, keepdims=True)
    pre = np.empty_like(fr)
    pre[:, 1:] = fr[:, 1:] - 0.97 * fr[:, :-1]
    pre[:, 0] = fr[:, 0] - 0.97 * fr[:, 0]
    window = hann(WIN, sym=True) ** 0.85
    power = np.abs(np.fft.rfft(pre * window, n=N_FFT, axis=1)) ** 2
    mel = power @ kaldi_filterbank(n_mels).T
    return np.log(np.maximum(mel, np.finfo(np.float32).eps))


def per_feature_normalize(f):
    if f.shape[0] == 0:
        return f
    mean = f.mean(axis=0)
    std = f.std(axis=0, ddof=1) if f.shape[0] > 1 else np.zeros(f.shape[1])
    return (f - mean) / (std + 1e-5)


# ---------------------------------------------------------------- test signals
def signals():
    rng = np.random.default_rng(20240611)
    out = {}
    t = np.arange(16037) / SR
    out["chirp"] = 0.5 * chirp(t, f0=60, t1=t[-1], f1=7800, method="logarithmic") \
        + 0.01 * rng.standard_normal(len(t))
    # Speech-like: harmonic source with a wandering pitch, syllabic envelope with pauses,
    # two resonances, a fricative burst and a little background noise.
    t = np.arange(19711) / SR
    f0 = 140 + 40 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    src = sum(np.sin(k * phase) / k for k in range(1, 30))
    env = np.clip(np.sin(2 * np.pi * 3.1 * t), 0, None) ** 2
    voiced = env * (np.convolve(src, np.hanning(9) / 4.5, mode="same"))
    fric = np.where((t > 0.8) & (t < 0.95), 0.05 * rng.standard_normal(len(t)), 0.0)
    out["speech"] = 0.3 * voiced + fric + 0.001 * rng.standard_normal(len(t))
    out["silence"] = np.zeros(8000)
    t = np.arange(300) / SR
    out["short"] = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.1 * rng.standard_normal(300)
    out["one"] = np.array([0.25])
    t = np.arange(3210) / SR
    out["loud"] = 0.99 * np.sign(np.sin(2 * np.pi * 1000 * t))
    return {k: np.clip(v, -1, 1).astype(np.float32) for k, v in out.items()}


def main():
    records = []
    for name, x in signals().items():
        records.append((f"{name}/samples", x[None, :]))
        nemo = nemo_logmel(x)
        records.append((f"{name}/nemo", nemo))
        records.append((f"{name}/nemo_norm", per_feature_normalize(nemo)))
        records.append((f"{name}/kaldi", kaldi_fbank(x)))
        k16 = kaldi_fbank(x, scale=32768.0)
        records.append((f"{name}/kaldi_int16", k16))
        records.append((f"{name}/kaldi_int16_norm", per_feature_normalize(k16)))
        if name == "chirp":
            records.append((f"{name}/nemo_64", nemo_logmel(x, n_mels=64)))
            records.append((f"{name}/kaldi_40", kaldi_fbank(x, n_mels=40)))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.bin")
    with open(path, "wb") as f:
        f.write(b"HKFG" + struct.pack("<I", len(records)))
        for rec_name, a in records:
            a = np.ascontiguousarray(a, dtype="<f4")
            rows, cols = (a.shape[0], a.shape[1]) if a.ndim == 2 else (0, 0)
            f.write(struct.pack("<H", len(rec_name)) + rec_name.encode())
            f.write(struct.pack("<II", rows, cols) + a.tobytes())
    print(f"wrote {len(records)} records, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
