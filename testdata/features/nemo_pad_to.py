#!/usr/bin/env python3
"""NeMo preprocessing with per-feature normalisation and pad_to, for hark/internal/loader.

Regenerate with:  /usr/bin/python3 testdata/features/nemo_pad_to.py   (from the repo root)

Written from NeMo's documented FilterbankFeatures algorithm (AudioToMelSpectrogramPreprocessor
at inference: dither 0, pre-emphasis 0.97, centred 512-point STFT with zero padding, Hann 400,
power spectrum, Slaney mel 0-8 kHz, log(x + 2^-24), per-feature normalisation with the
unbiased std + 1e-5 over the valid frames, frames beyond seq_len set to pad_value 0, then zero
frames appended until the frame count is a multiple of pad_to). The log-mel core is
reference.py's; this script adds the pad_to step and writes nemo_pad_to.bin in golden.bin's
layout with records "<case>/samples" and "<case>/nemo_norm_pad16".
"""
import os
import struct
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402

PAD_TO = 16


def nemo_features(x, pad_to=PAD_TO):
    n = len(x)
    seq_len = n // ref.HOP + 1 if n > 0 else 0  # NeMo: floor((n + 2*256 - 512)/160) + 1
    f = ref.nemo_logmel(x)
    assert f.shape[0] == seq_len
    f = ref.per_feature_normalize(f)
    if pad_to > 0 and f.shape[0] % pad_to:
        f = np.concatenate([f, np.zeros((pad_to - f.shape[0] % pad_to, f.shape[1]))])
    return f


def main():
    sig = ref.signals()
    records = []
    for name in ("speech", "short"):
        x = sig[name]
        records.append((f"{name}/samples", x[None, :]))
        records.append((f"{name}/nemo_norm_pad16", nemo_features(x)))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nemo_pad_to.bin")
    with open(path, "wb") as f:
        f.write(b"HKFG" + struct.pack("<I", len(records)))
        for rec_name, a in records:
            a = np.ascontiguousarray(a, dtype="<f4")
            f.write(struct.pack("<H", len(rec_name)) + rec_name.encode())
            f.write(struct.pack("<II", a.shape[0], a.shape[1]) + a.tobytes())
    print(f"wrote {len(records)} records, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
