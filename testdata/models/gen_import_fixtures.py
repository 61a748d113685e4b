#!/usr/bin/python3
"""Generates the model-import fixtures in testdata/models/import/.

Run from the repository root with Debian's python3-onnx and python3-numpy:
    /usr/bin/python3 testdata/models/gen_import_fixtures.py
It reuses the tone models of gen_fixtures.py (each vocabulary symbol owns one mel band, so
testdata/tones/*.wav decode to known text) and packs them the way real models are published:

  sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2   sherpa-onnx NeMo CTC export: one folder
      holding model.int8.onnx + tokens.txt (SentencePiece pieces, <blk> last), ONNX metadata
      vocab_size / subsampling_factor / normalize_type / model_type as sherpa-onnx's export
      scripts write them, no model.json; inputs audio_signal [N,80,T] + length, output logprobs.
      Its normalize_type is "" (the real conformer exports say "per_feature"): the tone
      recordings decode only without normalisation, so this one is the decode test and the
      next one covers "per_feature".
  sherpa-onnx-nemo-ctc-en-citrinet-512.tar.gz        the same convention, fp32 model.onnx,
      normalize_type "per_feature" (as Citrinet and Conformer-CTC are trained).
  sherpa-onnx-zipformer-ctc-en.zip                   icefall/k2 CTC export: x [N,T,80], x_lens,
      log_probs, log_probs_len; Kaldi fbank features.
  hark-tones.tar.xz                                  Hark's own format (model.json) in a .tar.xz.
  refuse/*                                           one directory per model Hark must refuse.
Archive-level attacks (path traversal, links, bombs, truncation) are built by the Go tests.
"""
import io
import os
import sys
import tarfile
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_fixtures as g  # noqa: E402

ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(ROOT, "import")
MTIME = 1700000000

# SentencePiece-style vocabulary in sherpa-onnx's tokens.txt layout ("piece id", <blk> last).
# Symbol ids keep the tone bands of gen_fixtures: 0 is the word boundary, 1..26 letters.
# Pieces unused by the test recordings are made multi-character, as a BPE vocabulary has.
BPE = list(g.TOKENS)
BPE[BPE.index("q")] = "\u2581the"
BPE[BPE.index("x")] = "ing"


def sherpa_nemo_meta(normalize):
    return {"vocab_size": g.V, "subsampling_factor": 4, "normalize_type": normalize,
            "model_type": "EncDecCTCModelBPE", "comment": "tone fixture in sherpa-onnx NeMo CTC layout",
            "url": "https://example.invalid/tone-fixture"}


def tokens_bytes(tokens):
    return "".join(f"{t} {i}\n" for i, t in enumerate(tokens)).encode()


def model_bytes(m):
    return m.SerializeToString()


def add(tf, name, data):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime, ti.mode = len(data), MTIME, 0o644
    tf.addfile(ti, io.BytesIO(data))


def add_dir(tf, name):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mtime, ti.mode = tarfile.DIRTYPE, MTIME, 0o755
    tf.addfile(ti)


def write_tar(path, mode, folder, files):
    with tarfile.open(path, mode, format=tarfile.GNU_FORMAT) as tf:
        add_dir(tf, folder)
        for n, data in files:
            add(tf, folder + "/" + n, data)


def write_dir(d, files):
    os.makedirs(d, exist_ok=True)
    for n, data in files:
        with open(os.path.join(d, n), "wb") as f:
            f.write(data)


def with_meta(m, meta):
    del m.metadata_props[:]
    g.metadata(m, meta)
    return m


def dummy(name, inputs, outputs):
    """A valid ONNX graph with the given float inputs/outputs (shapes as lists)."""
    ins = [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs]
    outs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs]
    nodes = [helper.make_node("Identity", [inputs[0][0]], [o[0]]) for o in outputs]
    m = helper.make_model(helper.make_graph(nodes, name, ins, outs), opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return m


def main():
    os.makedirs(OUT, exist_ok=True)
    readme = b"Tone fixture for Hark's importer; not a speech model.\n"

    m8 = with_meta(g.tone_graph(True), sherpa_nemo_meta(""))
    write_tar(os.path.join(OUT, "sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2"), "w:bz2",
              "sherpa-onnx-nemo-ctc-en-conformer-small",
              [("model.int8.onnx", model_bytes(m8)), ("tokens.txt", tokens_bytes(BPE)), ("README.md", readme)])

    mf = with_meta(g.tone_graph(False), sherpa_nemo_meta("per_feature"))
    write_tar(os.path.join(OUT, "sherpa-onnx-nemo-ctc-en-citrinet-512.tar.gz"), "w:gz",
              "sherpa-onnx-nemo-ctc-en-citrinet-512",
              [("model.onnx", model_bytes(mf)), ("tokens.txt", tokens_bytes(BPE))])

    mk = with_meta(g.tone_graph(False, layout="k2"), {"vocab_size": g.V, "model_type": "zipformer2_ctc",
                                                      "subsampling_factor": 4})
    zpath = os.path.join(OUT, "sherpa-onnx-zipformer-ctc-en.zip")
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in [("model.onnx", model_bytes(mk)), ("tokens.txt", tokens_bytes(g.TOKENS))]:
            zi = zipfile.ZipInfo("sherpa-onnx-zipformer-ctc-en/" + n, date_time=(2023, 11, 14, 22, 13, 20))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)

    tones = os.path.join(ROOT, "tones")
    files = [(n, open(os.path.join(tones, n), "rb").read()) for n in ("model.onnx", "model.json", "tokens.txt")]
    write_tar(os.path.join(OUT, "hark-tones.tar.xz"), "w:xz", "hark-tones", files)

    # Models Hark must refuse, one directory each.
    ref = os.path.join(OUT, "refuse")
    tiny = dummy("t", [("x", ["N", "T", 80])], [("y", ["N", "T", 80])])
    write_dir(os.path.join(ref, "transducer"), [
        ("encoder-epoch-99-avg-1.int8.onnx", model_bytes(tiny)), ("decoder-epoch-99-avg-1.onnx", model_bytes(tiny)),
        ("joiner-epoch-99-avg-1.int8.onnx", model_bytes(tiny)), ("tokens.txt", tokens_bytes(g.TOKENS))])
    enc = dummy("whisper-encoder", [("mel", ["N", 80, 3000])], [("n_layer_cross_k", [4, "N", 1500, 384])])
    write_dir(os.path.join(ref, "whisper"), [
        ("tiny.en-encoder.int8.onnx", model_bytes(enc)), ("tiny.en-decoder.int8.onnx", model_bytes(tiny)),
        ("tiny.en-tokens.txt", b"!\n\"\n")])
    w2v = dummy("wav2vec2", [("input_values", ["B", "S"])], [("logits", ["B", "S"])])
    write_dir(os.path.join(ref, "wav2vec2"), [("model.onnx", model_bytes(w2v)), ("tokens.txt", tokens_bytes(g.TOKENS))])
    par = with_meta(dummy("paraformer", [("speech", ["N", "T", 560])], [("logits", ["N", "T", 560])]),
                    {"vocab_size": g.V, "lfr_window_size": 7, "lfr_window_shift": 6, "model_type": "paraformer"})
    write_dir(os.path.join(ref, "paraformer"), [("model.onnx", model_bytes(par)), ("tokens.txt", tokens_bytes(g.TOKENS))])
    write_dir(os.path.join(ref, "no-tokens"), [("model.int8.onnx", model_bytes(m8))])
    write_dir(os.path.join(ref, "token-mismatch"), [("model.int8.onnx", model_bytes(m8)),
                                                    ("tokens.txt", tokens_bytes(g.TOKENS[:9] + ["<blk>"]))])
    write_dir(os.path.join(ref, "corrupt-onnx"), [("model.onnx", model_bytes(m8)[:700]), ("tokens.txt", tokens_bytes(g.TOKENS))])
    norm = with_meta(g.tone_graph(True), dict(sherpa_nemo_meta("all_features")))
    write_dir(os.path.join(ref, "all-features"), [("model.int8.onnx", model_bytes(norm)), ("tokens.txt", tokens_bytes(BPE))])
    write_dir(os.path.join(ref, "no-model"), [("tokens.txt", tokens_bytes(g.TOKENS)), ("README.md", readme)])
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {OUT}: {total} bytes")


if __name__ == "__main__":
    np.random.seed(0)
    main()
