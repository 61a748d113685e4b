"""Tiny pure-numpy evaluator for the ONNX graphs export.py writes (only the
ops they use), to check them where onnxruntime is not installed.

  python3 models/train/onnx_ref.py --ckpt CKPT --onnx model.float.onnx --onnx model.onnx
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

_DT = {1: np.float32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64}


def _attrs(n):
    return {a.name: helper.get_attribute_value(a) for a in n.attribute}


def _conv(x, w, b, strides, pads, group):
    nd = x.ndim - 2
    if nd == 1:
        x, w = x[:, :, None, :], w[:, :, None, :]
        strides, pads = [1] + list(strides), [0, pads[0], 0, pads[1]]
    B, C, H, W = x.shape
    O, Cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    Ho = (xp.shape[2] - kh) // strides[0] + 1
    Wo = (xp.shape[3] - kw) // strides[1] + 1
    out = np.zeros((B, O, Ho, Wo), dtype=np.float32)
    og = O // group
    for g in range(group):
        xs = xp[:, g * Cg:(g + 1) * Cg]
        ws = w[g * og:(g + 1) * og]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i:i + strides[0] * Ho:strides[0], j:j + strides[1] * Wo:strides[1]]
                out[:, g * og:(g + 1) * og] += np.einsum("bchw,oc->bohw", patch, ws[:, :, i, j])
    if b is not None:
        out += b[None, :, None, None]
    return out[:, :, 0, :] if nd == 1 else out


def _int_div(a, b):
    if np.issubdtype(np.asarray(a).dtype, np.integer):
        q = np.abs(a) // np.abs(b)
        return (q * np.sign(a) * np.sign(b)).astype(np.asarray(a).dtype)
    return (a / b).astype(np.asarray(a).dtype)


def run(model, feeds):
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env.update(feeds)
    for n in model.graph.node:
        a = _attrs(n)
        x = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Constant":
            r = numpy_helper.to_array(a["value"])
        elif op == "Identity":
            r = x[0]
        elif op == "Add":
            r = x[0] + x[1]
        elif op == "Sub":
            r = x[0] - x[1]
        elif op == "Mul":
            r = x[0] * x[1]
        elif op == "Div":
            r = _int_div(x[0], x[1])
        elif op == "Pow":
            r = np.power(x[0], x[1]).astype(x[0].dtype)
        elif op == "Sqrt":
            r = np.sqrt(x[0])
        elif op == "Sigmoid":
            r = (1 / (1 + np.exp(-x[0]))).astype(np.float32)
        elif op == "Relu":
            r = np.maximum(x[0], 0)
        elif op == "ReduceMean":
            r = np.mean(x[0], axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1))).astype(x[0].dtype)
        elif op == "Cast":
            r = x[0].astype(_DT[a["to"]])
        elif op == "Transpose":
            r = np.transpose(x[0], a.get("perm"))
        elif op == "Unsqueeze":
            r = x[0]
            for ax in sorted(int(v) % (x[0].ndim + len(x[1])) for v in x[1]):
                r = np.expand_dims(r, ax)
        elif op == "Squeeze":
            r = np.squeeze(x[0], axis=tuple(int(v) for v in x[1])) if len(x) > 1 and x[1] is not None else np.squeeze(x[0])
        elif op == "Shape":
            r = np.array(x[0].shape, dtype=np.int64)
        elif op == "Gather":
            r = np.take(x[0], x[1], axis=a.get("axis", 0))
        elif op == "Concat":
            r = np.concatenate(x, axis=a["axis"])
        elif op == "Reshape":
            shp = [int(s) if s != 0 else x[0].shape[i] for i, s in enumerate(x[1])]
            r = x[0].reshape(shp)
        elif op == "Split":
            ax = a.get("axis", 0)
            if len(x) > 1 and x[1] is not None:
                idx = np.cumsum(x[1])[:-1]
            else:
                idx = len(n.output)
            r = np.split(x[0], idx, axis=ax)
        elif op == "MatMul":
            r = np.matmul(x[0], x[1])
        elif op in ("Softmax", "LogSoftmax"):
            ax = a.get("axis", -1)
            z = x[0] - x[0].max(axis=ax, keepdims=True)
            lse = np.log(np.exp(z).sum(axis=ax, keepdims=True))
            r = (z - lse) if op == "LogSoftmax" else np.exp(z - lse)
            r = r.astype(np.float32)
        elif op == "Less":
            r = x[0] < x[1]
        elif op == "Equal":
            r = x[0] == x[1]
        elif op == "Not":
            r = np.logical_not(x[0])
        elif op == "And":
            r = np.logical_and(x[0], x[1])
        elif op == "Xor":
            r = np.logical_xor(x[0], x[1])
        elif op == "Where":
            r = np.where(x[0], x[1], x[2])
        elif op == "Range":
            r = np.arange(x[0], x[1], x[2]).astype(x[0].dtype)
        elif op == "Mod":
            r = np.fmod(x[0], x[1]) if a.get("fmod", 0) else np.mod(x[0], x[1])
        elif op == "Conv":
            r = _conv(x[0], x[1], x[2] if len(x) > 2 else None, a.get("strides"), a.get("pads"), a.get("group", 1))
        elif op == "DynamicQuantizeLinear":
            v = x[0].astype(np.float32)
            lo, hi = min(0.0, float(v.min())), max(0.0, float(v.max()))
            sc = np.float32((hi - lo) / 255.0) if hi > lo else np.float32(1.0)
            zp = np.clip(np.round(-lo / sc), 0, 255).astype(np.uint8)
            q = np.clip(np.round(v / sc) + zp, 0, 255).astype(np.uint8)
            r = [q, np.array(sc, np.float32), np.array(zp, np.uint8)]
        elif op == "MatMulInteger":
            A = x[0].astype(np.int32) - (x[2].astype(np.int32) if len(x) > 2 else 0)
            Bm = x[1].astype(np.int32) - (x[3].astype(np.int32) if len(x) > 3 else 0)
            r = np.matmul(A, Bm).astype(np.int32)
        else:
            raise NotImplementedError(op)
        outs = r if isinstance(r, list) else [r]
        for name, val in zip(n.output, outs):
            env[name] = np.asarray(val)
    return [env[o.name] for o in model.graph.output]


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    from model import load_checkpoint
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--onnx", action="append", required=True)
    a = ap.parse_args()
    model, _ = load_checkpoint(a.ckpt)
    model.eval()
    rng = np.random.RandomState(0)
    x = (rng.randn(2, 80, 203) * 3 - 8).astype(np.float32)
    lens = np.array([203, 150], np.int64)
    with torch.no_grad():
        lp_t, ol_t = model(torch.from_numpy(x), torch.from_numpy(lens))
    ok = True
    for p in a.onnx:
        lp, ol = run(onnx.load(p), {"audio_signal": x, "length": lens})
        same_len = (ol == ol_t.numpy()).all()
        d = max(float(np.abs(lp[b, :ol[b]] - lp_t[b, :ol[b]].numpy()).max()) for b in range(2))
        agree = float((lp[0, :ol[0]].argmax(-1) == lp_t[0, :ol[0]].numpy().argmax(-1)).mean())
        print("onnx_ref %s: shape %s lengths %s (torch %s) max|dlogp| %.3g argmax agree %.3f" % (
            os.path.basename(p), lp.shape, ol.tolist(), ol_t.tolist(), d, agree))
        ok &= bool(same_len)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
