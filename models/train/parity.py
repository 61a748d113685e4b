#!/usr/bin/python3
"""Writes testdata/models/default-parity.json: what the training code (torch features +
the float checkpoint) outputs on a few committed recordings, so a Go test can check that the
exported int8 model run on Hark's own Go features reproduces it (models and front-ends must
not drift apart). Run after every export:

    /usr/bin/python3 models/train/parity.py [--ckpt models/train/checkpoints/latest.pt]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import common  # noqa: E402
from features import LogMel  # noqa: E402
from model import load_checkpoint  # noqa: E402

# Speech only: on non-speech (the tone fixture's hello.wav, used until step 11,156) nearly every
# frame is a near-tie, which int8 weights flip without anything being wrong (3 edits at step
# 14,374); the check is for speech, where a broken int8 path adds stray letters.
FILES = ["testdata/speech/sample.wav", "asr/vad/testdata/hello.wav", "asr/vad/testdata/numbers.wav"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(HERE, "checkpoints", "latest.pt"))
    ap.add_argument("--out", default=os.path.join(REPO, "testdata", "models", "default-parity.json"))
    a = ap.parse_args()
    model, ck = load_checkpoint(a.ckpt)
    model.eval()
    front = LogMel("cpu")
    out = {"checkpoint_step": int(ck.get("step", 0)), "files": []}
    for rel in FILES:
        x = common.read_audio_16k(os.path.join(REPO, rel)).astype(np.float32) / 32768.0
        wav = torch.from_numpy(x)[None, :]
        lens = torch.tensor([len(x)])
        with torch.no_grad():
            feats, flen = front(wav, lens)
            lp, ol = model(feats, flen)
        lp = lp[0, : int(ol[0])].numpy()
        out["files"].append({
            "wav": rel,
            "text": common.greedy_decode(lp, lp.shape[0]),
            "argmax": lp.argmax(axis=-1).tolist(),
        })
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("parity: wrote %s (step %d)" % (os.path.relpath(a.out, REPO), out["checkpoint_step"]))


if __name__ == "__main__":
    main()
