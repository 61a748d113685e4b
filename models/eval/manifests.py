#!/usr/bin/python3
"""Writes evaluation manifests (audio path <TAB> reference) for `hark eval`.

    /usr/bin/python3 models/eval/manifests.py OUTDIR [--data ../shared/data]

Writes into OUTDIR (an ignored cache folder, e.g. models/eval/cache):
  asterisk.tsv      Asterisk IVR prompts (Debian asterisk-core-sounds-en-wav, 8 kHz): an
                    independent test set of real recorded speech. TEST DATA ONLY: never train
                    on it, never tune on it.
  speech-dev.tsv    real accented speakers held out from training (models/train/heldout.txt)
  native-dev.tsv    native English speakers held out from training (models/train/heldout_native.txt):
                    4 LibriSpeech readers and 20 Common Voice speakers, 220 clips, 46 min; the
                    16 kHz WAV copies of the Ogg Opus originals that the training recipe stages
                    (models/train/prepdata.py -> models/train/cache/dev_native; hark reads no Ogg)
  fsdd-dev.tsv      the FSDD speaker held out from training ("jackson"), all takes
  fsdd-test.tsv     takes 0-4 of the other FSDD speakers (the dataset's own test split)
  tts-dev.tsv       the held-out TTS voice family (festival), if the training recipe made it
  xreal-dev.tsv     held-out speakers of the extra real speech (Speech Commands words, Common
                    Voice sentences), if models/train/extra_real.py staged it
  all-dev.tsv       the dev sets above together (speech-dev, native-dev, tts-dev, fsdd-dev, xreal-dev):
                    what checkpoints and the LM weights are chosen on
Paths are absolute so the manifests can be used from anywhere.
"""
import argparse
import csv
import gzip
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DIGITS = "zero one two three four five six seven eight nine".split()


def asterisk(out):
    txt = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz"
    snd = "/usr/share/asterisk/sounds/en"
    if not os.path.exists(txt) or not os.path.isdir(snd):
        print("asterisk: install asterisk-core-sounds-en and asterisk-core-sounds-en-wav first", file=sys.stderr)
        return 0
    n = 0
    with gzip.open(txt, "rt", encoding="utf-8", errors="replace") as f, open(out, "w") as w:
        for line in f:
            line = line.strip()
            if not line or line.startswith(";") or ":" not in line:
                continue
            name, text = line.split(":", 1)
            text = text.strip()
            # Skip descriptions of non-speech sounds and entries whose text is not what is said.
            if not text or "[" in text or "]" in text or "<" in text:
                continue
            wav = os.path.join(snd, name.strip() + ".wav")
            if not os.path.exists(wav):
                continue
            w.write(f"{wav}\t{text}\n")
            n += 1
    return n


def speech_dev(data, out):
    root = os.path.join(data, "speech", "speechocean762")
    held = set()
    for line in open(os.path.join(REPO, "models", "train", "heldout.txt")):
        line = line.split("#", 1)[0].strip()
        if line:
            held.update(line.split())
    n = 0
    with open(os.path.join(root, "transcripts.tsv")) as f, open(out, "w") as w:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["speaker"] in held:
                path = os.path.join(root, "audio", row["speaker"], row["id"] + ".flac")
                w.write(f"{os.path.abspath(path)}\t{row['text'].lower()}\n")
                n += 1
    return n


def native_dev(data, out):
    """Held-out native speakers (models/train/heldout_native.txt), references as in speech-dev
    (the transcript lowercased; hark eval normalises punctuation); audio: the recipe's WAV copies
    (models/train/cache/dev_native/audio/ID.wav)."""
    held = set()
    for line in open(os.path.join(REPO, "models", "train", "heldout_native.txt")):
        line = line.split("#", 1)[0].strip()
        if line:
            held.update(line.split())
    staged = os.path.join(REPO, "models", "train", "cache", "dev_native", "audio")
    if not os.path.isdir(staged):
        print("native-dev: stage it first (python3 models/train/prepdata.py --out models/train/cache "
              "--only native,dev_native)", file=sys.stderr)
        return 0
    n = missing = 0
    with open(out, "w") as w:
        for corpus in ("librispeech", "commonvoice", "rhasspy_kathleen", "vctk"):
            root = os.path.join(data, "speech", corpus)
            tr = os.path.join(root, "transcripts.tsv")
            if not os.path.exists(tr):
                continue
            with open(tr, encoding="utf-8") as f:
                for row in csv.DictReader(f, delimiter="\t"):
                    if f"{corpus}/{row['speaker']}" not in held:
                        continue
                    wav = os.path.join(staged, row["id"] + ".wav")
                    if not os.path.exists(wav):
                        missing += 1
                        continue
                    w.write(f"{os.path.abspath(wav)}\t{row['text'].lower()}\n")
                    n += 1
    if missing:
        print(f"native-dev: {missing} clips not staged (rerun models/train/prepdata.py)", file=sys.stderr)
    return n


def fsdd(data, out_dev, out_test):
    rec = os.path.join(data, "fsdd", "recordings")
    nd = nt = 0
    with open(out_dev, "w") as wd, open(out_test, "w") as wt:
        for name in sorted(os.listdir(rec)):
            m = re.match(r"(\d)_([a-z]+)_(\d+)\.wav$", name)
            if not m:
                continue
            digit, speaker, take = int(m.group(1)), m.group(2), int(m.group(3))
            line = f"{os.path.abspath(os.path.join(rec, name))}\t{DIGITS[digit]}\n"
            if speaker == "jackson":
                wd.write(line)
                nd += 1
            elif take < 5:
                wt.write(line)
                nt += 1
    return nd, nt


def tts_dev(out):
    """The held-out TTS family (festival voices), synthesised by the training recipe."""
    return from_cache("dev_tts_festival/manifest.tsv", out,
                      "tts-dev: run the training recipe first (it synthesises the festival dev set)")


def xreal_dev(out):
    """Held-out speakers of the extra real speech, staged by models/train/extra_real.py."""
    return from_cache("extra_real/dev.tsv", out, "xreal-dev: stage it first (models/train/extra_real.py)")


def from_cache(rel, out, missing):
    src = os.path.join(REPO, "models", "train", "cache", rel)
    if not os.path.exists(src):
        print(missing, file=sys.stderr)
        return 0
    n = 0
    with open(src) as f, open(out, "w") as w:
        for row in csv.DictReader(f, delimiter="\t"):
            path = os.path.join(os.path.dirname(src), row["path"])
            w.write(f"{os.path.abspath(path)}\t{row['text']}\n")
            n += 1
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    print("asterisk.tsv", asterisk(os.path.join(a.out, "asterisk.tsv")))
    print("speech-dev.tsv", speech_dev(a.data, os.path.join(a.out, "speech-dev.tsv")))
    print("native-dev.tsv", native_dev(a.data, os.path.join(a.out, "native-dev.tsv")))
    print("tts-dev.tsv", tts_dev(os.path.join(a.out, "tts-dev.tsv")))
    print("xreal-dev.tsv", xreal_dev(os.path.join(a.out, "xreal-dev.tsv")))
    print("fsdd-dev.tsv fsdd-test.tsv", *fsdd(a.data, os.path.join(a.out, "fsdd-dev.tsv"), os.path.join(a.out, "fsdd-test.tsv")))
    n = 0
    with open(os.path.join(a.out, "all-dev.tsv"), "w") as w:
        for name in ("speech-dev.tsv", "native-dev.tsv", "tts-dev.tsv", "fsdd-dev.tsv", "xreal-dev.tsv"):
            p = os.path.join(a.out, name)
            if os.path.exists(p):
                lines = open(p).readlines()
                w.writelines(lines)
                n += len(lines)
    print("all-dev.tsv", n)


if __name__ == "__main__":
    main()
