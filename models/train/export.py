"""Export a checkpoint to ONNX (NeMo / sherpa-onnx CTC layout) + INT8.

  python3 models/train/export.py --ckpt models/train/checkpoints/latest.pt --out models/default

Writes OUT/model.onnx (INT8 weights, dynamic quantisation of every
MatMul/Gemm with a constant weight), OUT/tokens.txt, OUT/model.json and, with
--float, OUT/model.float.onnx (not meant to be committed: ~25 MB).

Graph I/O: audio_signal float32 [B, 80, T] (log-mel, features x time),
length int64 [B] -> logprobs float32 [B, T', 29], encoded_lengths int64 [B].
The quantiser is written with onnx.helper only (no onnxruntime needed):
  X -> DynamicQuantizeLinear -> (Xq uint8, x_scale, x_zp)
  MatMulInteger(Xq, Wq int8 [K, N], x_zp, 0) -> Cast float -> Mul(x_scale * w_scale[N]) (-> Add bias for Gemm)
with symmetric per-column weight scales (zero point 0).
"""
import argparse
import inspect
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from model import SUBSAMPLING, count_params, load_checkpoint  # noqa: E402

OPSET = 14
LICENSE = ("Model weights: CC BY-SA 4.0 (trained on the Free Spoken Digit Dataset, CC BY-SA 4.0, which "
           "requires share-alike; also speechocean762 by SpeechOcean and Xiaomi, CC BY 4.0; LibriSpeech "
           "(Panayotov et al., from LibriVox), CC BY 4.0; VCTK speaker p239 (CSTR, University of Edinburgh), "
           "ODC-By 1.0; the rhasspy 'kathleen' ARCTIC recordings, CC0; Mozilla Common Voice clips and "
           "prompts, CC0; Speech Commands (Google), CC BY 4.0; synthetic speech from espeak-ng (GPL-3+) and "
           "flite (CMU BSD-style)). See models/README.md and models/train/README.md.")
DESCRIPTION = ("Hark default English acoustic model: ~6M-parameter Conformer-style CTC over 29 characters "
               "(space, a-z, apostrophe, blank last), 80 log-mel features (NeMo preset, no per-feature "
               "normalisation; a fixed global normaliser is part of the graph), 4x subsampling.")


def export_float(model, path, dummy_T=320):
    model.eval()
    x = torch.randn(2, 80, dummy_T)
    lens = torch.tensor([dummy_T, dummy_T - 37], dtype=torch.int64)
    kw = dict(input_names=["audio_signal", "length"], output_names=["logprobs", "encoded_lengths"],
              dynamic_axes={"audio_signal": {0: "batch", 2: "time"}, "length": {0: "batch"},
                            "logprobs": {0: "batch", 1: "time_out"}, "encoded_lengths": {0: "batch"}},
              opset_version=OPSET, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kw["dynamo"] = False  # torch >= 2.5: keep the TorchScript exporter
    with torch.no_grad():
        torch.onnx.export(model, (x, lens), path, **kw)


def add_metadata(m, name, comment):
    props = {"vocab_size": str(common.NUM_CLASSES), "subsampling_factor": str(SUBSAMPLING),
             "normalize_type": "", "model_type": "EncDecCTCModel", "feature_preset": "nemo",
             "n_mels": "80", "sample_rate": "16000", "blank_id": str(common.BLANK_ID),
             "model_name": name, "model_author": "Hark", "license": LICENSE, "comment": comment}
    del m.metadata_props[:]
    for k, v in props.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v


def quantize_int8(m):
    """Dynamic INT8 quantisation of MatMul/Gemm nodes with a constant 2-D weight."""
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    uses = {}
    for n in g.node:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1
    new_nodes, drop_inits, count = [], set(), 0
    zp_name = "hark_w_zero_point"
    g.initializer.append(numpy_helper.from_array(np.array(0, dtype=np.int8), zp_name))
    for n in g.node:
        w_name = n.input[1] if len(n.input) > 1 else None
        is_mm = n.op_type == "MatMul" and w_name in inits
        is_gemm = n.op_type == "Gemm" and w_name in inits
        if is_gemm:
            at = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            if at.get("transA", 0) or at.get("alpha", 1.0) != 1.0 or at.get("beta", 1.0) != 1.0:
                is_gemm = False
        if not (is_mm or is_gemm):
            new_nodes.append(n)
            continue
        W = numpy_helper.to_array(inits[w_name]).astype(np.float32)
        if W.ndim != 2:
            new_nodes.append(n)
            continue
        if is_gemm and {a.name: helper.get_attribute_value(a) for a in n.attribute}.get("transB", 0):
            W = W.T
        W = np.ascontiguousarray(W)  # [K, N]
        scale = np.maximum(np.abs(W).max(axis=0), 1e-8) / 127.0
        Wq = np.clip(np.round(W / scale), -127, 127).astype(np.int8)
        p = "q%d_" % count
        count += 1
        g.initializer.append(numpy_helper.from_array(Wq, p + "W_int8"))
        g.initializer.append(numpy_helper.from_array(scale.astype(np.float32), p + "W_scale"))
        if uses.get(w_name, 0) <= 1:
            drop_inits.add(w_name)
        x = n.input[0]
        out = n.output[0]
        new_nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [p + "xq", p + "xs", p + "xzp"], name=p + "dql"),
            helper.make_node("MatMulInteger", [p + "xq", p + "W_int8", p + "xzp", zp_name], [p + "y32"],
                             name=p + "mmi"),
            helper.make_node("Cast", [p + "y32"], [p + "yf"], to=TensorProto.FLOAT, name=p + "cast"),
            helper.make_node("Mul", [p + "xs", p + "W_scale"], [p + "s"], name=p + "scale"),
        ]
        if is_gemm and len(n.input) > 2 and n.input[2]:
            new_nodes += [helper.make_node("Mul", [p + "yf", p + "s"], [p + "ym"], name=p + "mul"),
                          helper.make_node("Add", [p + "ym", n.input[2]], [out], name=p + "bias")]
        else:
            new_nodes.append(helper.make_node("Mul", [p + "yf", p + "s"], [out], name=p + "mul"))
    del g.node[:]
    g.node.extend(new_nodes)
    keep = [i for i in g.initializer if i.name not in drop_inits]
    del g.initializer[:]
    g.initializer.extend(keep)
    return count


def model_json(name, ck):
    return {"name": name, "sample_rate": 16000, "feature_preset": "nemo", "n_mels": 80,
            "subsampling_factor": SUBSAMPLING, "blank_id": common.BLANK_ID, "vocabulary": "char",
            "vocab_size": common.NUM_CLASSES, "normalize": "", "license": LICENSE, "description": DESCRIPTION,
            "files": {"model": "model.onnx", "tokens": "tokens.txt"},
            "training": {"step": int(ck.get("step", 0)),
                         "audio_hours_seen": round(float(ck.get("extra", {}).get("audio_hours", 0.0)), 2),
                         "recipe": "models/train (see README.md)"}}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", default="hark-conformer-ctc-char-en")
    ap.add_argument("--float", action="store_true", help="also keep OUT/model.float.onnx")
    ap.add_argument("--max-mb", type=float, default=10.0)
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    model, ck = load_checkpoint(a.ckpt)
    model.eval()
    fpath = os.path.join(a.out, "model.float.onnx")
    export_float(model, fpath)
    m = onnx.load(fpath)
    comment = "step %d, %.1f h of audio seen; exported with torch %s" % (
        ck.get("step", 0), ck.get("extra", {}).get("audio_hours", 0.0), torch.__version__)
    add_metadata(m, a.name, comment)
    onnx.checker.check_model(m)
    onnx.save(m, fpath)
    q = onnx.load(fpath)
    n = quantize_int8(q)
    add_metadata(q, a.name, comment + "; INT8 dynamic quantisation of %d MatMul/Gemm" % n)
    onnx.checker.check_model(q)
    qpath = os.path.join(a.out, "model.onnx")
    onnx.save(q, qpath)
    if not a.float:
        os.remove(fpath)
    with open(os.path.join(a.out, "tokens.txt"), "w", encoding="utf-8") as f:
        f.write(common.tokens_txt())
    spec = model_json(a.name, ck)
    # keep the language model settings of the directory (lm.bin and its tuned α/β are
    # made and tuned separately: models/eval/tune_lm.sh)
    try:
        with open(os.path.join(a.out, "model.json"), encoding="utf-8") as f:
            old = json.load(f)
        for k in ("lm", "decoding"):
            if k in old:
                spec[k] = old[k]
    except (OSError, ValueError):
        pass
    with open(os.path.join(a.out, "model.json"), "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    mb = os.path.getsize(qpath) / 1e6
    print("export: %s (%.2f MB, %d quantised MatMul/Gemm, %.2f M params)%s" % (
        qpath, mb, n, count_params(model) / 1e6, ", float kept" if a.float else ""))
    if mb > a.max_mb:
        print("export: WARNING model.onnx is larger than %.0f MB" % a.max_mb)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
