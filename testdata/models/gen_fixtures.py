#!/usr/bin/python3
"""Generates Hark's tiny fixture models and the tone recordings they decode.

Run from the repository root with Debian's python3-onnx and python3-numpy:
    /usr/bin/python3 testdata/models/gen_fixtures.py
Everything it writes is deterministic and checked in.

The "tones" models are real CTC models with a known output: each vocabulary symbol owns one
mel band, and a pure tone at that band's centre frequency makes the model emit the symbol.
testdata/tones/*.wav spell words as sequences of tones (separated by short silences, which
the model maps to blank), so audio -> features -> ONNX Runtime -> CTC search -> text is
checked end to end with a known answer.
"""
import json
import os
import struct
import wave

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.abspath(__file__))
TONES = os.path.join(os.path.dirname(ROOT), "tones")

SR = 16000
N_MELS = 80
TOKENS = ["\u2581"] + [chr(ord("a") + i) for i in range(26)] + ["'", "<blk>"]
BLANK = len(TOKENS) - 1
V = len(TOKENS)
FIRST_BIN = 12  # symbol k owns mel bin FIRST_BIN + 2k
THRESHOLD = -4.0  # blank's score: a symbol's band must be louder than this log-mel value


def hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    lin = 3.0 * f / 200.0
    log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log, lin)


def mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    lin = 200.0 * m / 3.0
    log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0))
    return np.where(m >= 15.0, log, lin)


def band_centre(k):
    pts = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SR / 2), N_MELS + 2))
    return float(pts[FIRST_BIN + 2 * k + 1])


def tone_weights():
    w = np.zeros((N_MELS, V), dtype=np.float32)
    for k in range(V - 1):
        w[FIRST_BIN + 2 * k, k] = 1.0
    return w


def bias():
    b = np.zeros((V,), dtype=np.float32)
    b[BLANK] = THRESHOLD
    return b


def metadata(model, extra):
    for k, v in extra.items():
        e = model.metadata_props.add()
        e.key, e.value = k, str(v)


def nemo_meta(name):
    return {
        "vocab_size": V, "subsampling_factor": 4, "normalize_type": "", "model_type": "EncDecCTCModel",
        "feature_preset": "nemo", "n_mels": N_MELS, "sample_rate": SR, "blank_id": BLANK,
        "model_name": name, "model_author": "Hark test fixtures", "license": "CC0-1.0",
        "comment": "tone-spelling fixture: each symbol is a pure tone in its own mel band",
    }


def tone_graph(int8, layout="nemo"):
    """[1,80,T] log-mel -> every 4th frame -> per-symbol band scores -> log-softmax."""
    nodes, inits = [], []
    if layout == "nemo":
        x = helper.make_tensor_value_info("audio_signal", TensorProto.FLOAT, ["B", N_MELS, "T"])
        ln = helper.make_tensor_value_info("length", TensorProto.INT64, ["B"])
        out = helper.make_tensor_value_info("logprobs", TensorProto.FLOAT, ["B", "T2", V])
        outl = helper.make_tensor_value_info("encoded_lengths", TensorProto.INT64, ["B"])
        xin, lin = "audio_signal", "length"
        nodes.append(helper.make_node("Transpose", [xin], ["xt"], perm=[0, 2, 1]))
    else:  # icefall / k2 style: x [N,T,80], x_lens, log_probs, log_probs_len
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "T", N_MELS])
        ln = helper.make_tensor_value_info("x_lens", TensorProto.INT64, ["N"])
        out = helper.make_tensor_value_info("log_probs", TensorProto.FLOAT, ["N", "T2", V])
        outl = helper.make_tensor_value_info("log_probs_len", TensorProto.INT64, ["N"])
        xin, lin = "x", "x_lens"
        nodes.append(helper.make_node("Identity", [xin], ["xt"]))
    for n, v in [("starts", [0]), ("ends", [2**62]), ("axes", [1]), ("steps", [4])]:
        inits.append(numpy_helper.from_array(np.array(v, dtype=np.int64), n))
    nodes.append(helper.make_node("Slice", ["xt", "starts", "ends", "axes", "steps"], ["xs"]))
    w = tone_weights()
    if int8:
        # Dynamic int8: quantise activations at run time, weights ahead of time.
        wscale = np.float32(1.0 / 127.0)
        wq = np.round(w / wscale).astype(np.int8)
        inits += [numpy_helper.from_array(wq, "w_q"),
                  numpy_helper.from_array(np.array(0, dtype=np.int8), "w_zp"),
                  numpy_helper.from_array(np.array(wscale, dtype=np.float32), "w_scale")]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", ["xs"], ["xq", "x_scale", "x_zp"]),
            helper.make_node("MatMulInteger", ["xq", "w_q", "x_zp", "w_zp"], ["acc"]),
            helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["x_scale", "w_scale"], ["scale"]),
            helper.make_node("Mul", ["accf", "scale"], ["mm"]),
        ]
    else:
        inits.append(numpy_helper.from_array(w, "w"))
        nodes.append(helper.make_node("MatMul", ["xs", "w"], ["mm"]))
    inits.append(numpy_helper.from_array(bias(), "b"))
    nodes += [
        helper.make_node("Add", ["mm", "b"], ["logits"]),
        helper.make_node("LogSoftmax", ["logits"], [out.name], axis=-1),
    ]
    inits += [numpy_helper.from_array(np.array(3, dtype=np.int64), "three"),
              numpy_helper.from_array(np.array(4, dtype=np.int64), "four")]
    nodes += [helper.make_node("Add", [lin, "three"], ["l3"]),
              helper.make_node("Div", ["l3", "four"], [outl.name])]
    g = helper.make_graph(nodes, "tones", [x, ln], [out, outl], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="hark-fixtures")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def write_tokens(path, tokens):
    with open(path, "w", encoding="utf-8") as f:
        for i, t in enumerate(tokens):
            f.write(f"{t} {i}\n")


def write_model_dir(name, model, meta_json, tokens=TOKENS):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    write_tokens(os.path.join(d, "tokens.txt"), tokens)
    if meta_json is not None:
        with open(os.path.join(d, "model.json"), "w") as f:
            json.dump(meta_json, f, indent=2, sort_keys=True)
            f.write("\n")


def hark_json(name, description):
    return {
        "name": name, "description": description, "sample_rate": SR, "feature_preset": "nemo",
        "n_mels": N_MELS, "subsampling_factor": 4, "blank_id": BLANK, "vocabulary": "char",
        "normalize": "", "license": "CC0-1.0",
    }


def tones_for(text, tone_s=0.12, gap_s=0.08, lead_s=0.3, amp=0.3):
    rng = np.random.default_rng(7)
    parts = [np.zeros(int(lead_s * SR))]
    for ch in text:
        k = 0 if ch == " " else TOKENS.index(ch)
        t = np.arange(int(tone_s * SR)) / SR
        env = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
        parts.append(amp * env * np.sin(2 * np.pi * band_centre(k) * t))
        parts.append(np.zeros(int(gap_s * SR)))
    parts.append(np.zeros(int(lead_s * SR)))
    x = np.concatenate(parts) + rng.normal(0, 1e-4, sum(len(p) for p in parts))
    return x


def write_wav(path, x, rate=SR):
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def main():
    nemo = nemo_meta("tones")
    m = tone_graph(False)
    metadata(m, nemo)
    write_model_dir("tones", m, hark_json("tones", "float fixture model spelling tones as text"))
    m8 = tone_graph(True)
    metadata(m8, dict(nemo, model_name="tones-int8"))
    write_model_dir("tones-int8", m8, hark_json("tones-int8", "int8 (MatMulInteger) fixture model"))

    # Bad models for error tests.
    bad = os.path.join(ROOT, "bad")
    os.makedirs(bad, exist_ok=True)
    with open(os.path.join(bad, "not-a-model.onnx"), "wb") as f:
        f.write(b"this is not an ONNX model\n" * 4)
    write_tokens(os.path.join(bad, "tokens-10.txt"), TOKENS[:9] + ["<blk>"])
    # Wrong input rank: a rank-2 float input (raw waveform, wav2vec2-style).
    x = helper.make_tensor_value_info("input_values", TensorProto.FLOAT, ["B", "S"])
    y = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["B", "S"])
    g = helper.make_graph([helper.make_node("Identity", ["input_values"], ["logits"])], "rank2", [x], [y])
    mr = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    mr.ir_version = 8
    onnx.save(mr, os.path.join(bad, "rank2.onnx"))
    # Wrong rank: rank-4 input.
    x = helper.make_tensor_value_info("audio_signal", TensorProto.FLOAT, ["B", 1, N_MELS, "T"])
    y = helper.make_tensor_value_info("logprobs", TensorProto.FLOAT, ["B", 1, N_MELS, "T"])
    g = helper.make_graph([helper.make_node("Identity", ["audio_signal"], ["logprobs"])], "rank4", [x], [y])
    m4 = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m4.ir_version = 8
    onnx.save(m4, os.path.join(bad, "rank4.onnx"))

    os.makedirs(TONES, exist_ok=True)
    for name, text in [("hello", "hello world"), ("hark", "hark hears all"), ("its", "it's a test")]:
        write_wav(os.path.join(TONES, name + ".wav"), tones_for(text))
        with open(os.path.join(TONES, name + ".txt"), "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
