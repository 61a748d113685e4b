"""Average the weights of checkpoints of the same model (e.g. the start and the end of a
fine-tuning run): often as good as the best of them on every dev set at once.

  python3 models/train/average.py --out AVG.pt A.pt B.pt [C.pt ...] [--weights 0.5,0.5]

The normaliser buffers and the config come from the first checkpoint (they must match);
the step count is the largest. Writes fp16 like train.py.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import load_checkpoint, save_checkpoint  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ckpts", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--weights", default="", help="comma-separated, one per checkpoint (default: equal)")
    a = ap.parse_args(argv)
    if len(a.ckpts) < 2:
        ap.error("need at least two checkpoints")
    w = [float(x) for x in a.weights.split(",")] if a.weights else [1.0] * len(a.ckpts)
    if len(w) != len(a.ckpts) or any(x < 0 for x in w) or sum(w) <= 0:
        ap.error("--weights: one non-negative weight per checkpoint, not all zero")
    w = [x / sum(w) for x in w]
    base, ck0 = load_checkpoint(a.ckpts[0])
    sd = {k: v.clone() for k, v in base.state_dict().items()}
    avg = {k: v * w[0] for k, v in sd.items() if torch.is_floating_point(v) and k not in ("feat_mean", "feat_std")}
    step = int(ck0.get("step", 0))
    for path, wi in zip(a.ckpts[1:], w[1:]):
        m, ck = load_checkpoint(path)
        if dict(ck["config"]) != dict(ck0["config"]):
            sys.exit("average: %s: config differs from %s" % (path, a.ckpts[0]))
        for k, v in m.state_dict().items():
            if k in avg:
                avg[k] += v * wi
        step = max(step, int(ck.get("step", 0)))
    sd.update(avg)
    base.load_state_dict(sd)
    extra = dict(ck0.get("extra") or {})
    extra["averaged"] = [os.path.basename(p) for p in a.ckpts]
    extra["average_weights"] = w
    save_checkpoint(a.out, base, step, extra)
    print("average: %s = %s (step %d)" % (a.out, " + ".join("%.2f x %s" % (wi, p) for p, wi in zip(a.ckpts, w)), step))
    return 0


if __name__ == "__main__":
    sys.exit(main())
