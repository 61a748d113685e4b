"""Compare exported ONNX models with the torch checkpoint (needs onnxruntime).

  python3 models/train/check_onnx.py --ckpt CKPT --onnx OUT/model.onnx [--onnx OUT/model.float.onnx] \
      [--manifest dev.tsv] [--json result.json]

Runs a padded batch of two (random features) and, with --manifest, a few
real clips through torch and onnxruntime; prints the max |logprob diff| on
valid frames, whether encoded_lengths agree and the greedy transcripts.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from features import LogMel  # noqa: E402
from model import load_checkpoint  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--onnx", action="append", required=True)
    ap.add_argument("--manifest", default=None)
    ap.add_argument("--n", type=int, default=6)
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    import onnxruntime as ort
    model, _ = load_checkpoint(a.ckpt)
    model.eval()
    rng = np.random.RandomState(0)
    inputs = []
    x = rng.randn(2, 80, 413).astype(np.float32) * 3 - 8
    inputs.append(("random", x, np.array([413, 251], np.int64)))
    if a.manifest:
        rows, _ = common.read_manifest(a.manifest)
        front = LogMel()
        for r in rows[:a.n]:
            w = common.read_audio_16k(r[0]).astype(np.float32) / 32768.0
            f, fl = front(torch.from_numpy(w)[None], torch.tensor([len(w)]))
            inputs.append((r[1], f.numpy(), fl.numpy().astype(np.int64)))
    res = {"ort": ort.__version__, "models": {}}
    for path in a.onnx:
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        meta = sess.get_modelmeta().custom_metadata_map
        worst, agree, total, lens_ok, ex = 0.0, 0, 0, True, []
        for name, feats, lens in inputs:
            with torch.no_grad():
                lp_t, ol_t = model(torch.from_numpy(feats), torch.from_numpy(lens))
            lp_o, ol_o = sess.run(["logprobs", "encoded_lengths"], {"audio_signal": feats, "length": lens})
            lens_ok &= bool((ol_t.numpy() == ol_o).all())
            for b in range(feats.shape[0]):
                L = int(ol_t[b])
                worst = max(worst, float(np.abs(lp_t[b, :L].numpy() - lp_o[b, :L]).max()))
                ht = common.greedy_decode(lp_t[b].numpy(), L)
                ho = common.greedy_decode(lp_o[b], int(ol_o[b]))
                agree += ht == ho
                total += 1
                if name != "random":
                    ex.append({"ref": name, "torch": ht, "onnx": ho})
        r = {"max_abs_logprob_diff": worst, "lengths_equal": lens_ok, "greedy_agree": "%d/%d" % (agree, total),
             "metadata_ok": meta.get("vocab_size") == "29" and meta.get("blank_id") == "28",
             "size_mb": os.path.getsize(path) / 1e6, "examples": ex[:4]}
        res["models"][os.path.basename(path)] = r
        print("check_onnx %s: max|dlogp| %.4g, lengths equal %s, greedy agree %s, metadata ok %s" % (
            path, worst, lens_ok, r["greedy_agree"], r["metadata_ok"]), flush=True)
        for e in ex[:3]:
            print("   ref %r | torch %r | onnx %r" % (e["ref"], e["torch"], e["onnx"]), flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
