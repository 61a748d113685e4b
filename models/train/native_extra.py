"""Stage the native English read speech listed in native_extra.tsv.gz (clips from public GitHub
repositories: CMU ARCTIC speakers bdl and slt, and LibriSpeech train-clean-100 utterances of
readers already in ../shared/data/speech/librispeech that the shared copy left out) as 16 kHz
WAV with train/dev manifests. Sources, licences and counts: NATIVE_EXTRA.md.

  python3 models/train/native_extra.py --sources DIR [--out models/train/cache/native_extra]

The audio is not part of this repository. DIR holds the source repositories, each either
as a git clone at DIR/OWNER/NAME (work tree or .git) or as a bare mirror at
DIR/OWNER+NAME/repo; every clip is read at the commit the list names and checked against
its md5 before it is converted (sox, 16 kHz mono 16-bit). Clips that are missing or differ
are skipped and counted. Output: OUT/wav/NAME.wav, OUT/train.tsv, OUT/dev.tsv (path, text,
source "native", seconds; rows the list marks "dev" go to dev.tsv: none today, see
NATIVE_EXTRA.md), OUT/origin.tsv.
Training clips of speakers in heldout_native.txt, and (when --data has the shared native
corpora) training clips whose text a held-out native speaker read, are left out.
Licences: CMU ARCTIC BSD-style (Carnegie Mellon University, 2003), LibriSpeech CC BY 4.0
(Vassil Panayotov et al., 2014).

Note: bdl, slt and the shared rhasspy_kathleen set read the same 1,132 ARCTIC prompts.
"""
import argparse
import gzip
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import extra_real  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LIST = os.path.join(HERE, "native_extra.tsv.gz")
HELDOUT_NATIVE = os.path.join(HERE, "heldout_native.txt")
DEFAULT_DATA = os.path.join(HERE, "..", "..", "..", "shared", "data")
# Manifest source column: "native" like prepdata.py's native set (train.py: --native-weight repeats,
# counted as real speech for --min-real-frac).
SOURCE = "native"


def read_list(path=LIST):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = [ln.rstrip("\n") for ln in f if not ln.startswith("#")]
    head = lines[0].split("\t")
    return [dict(zip(head, ln.split("\t"))) for ln in lines[1:] if ln]


def corpus_speaker(r):
    """The list's speaker as a "corpus/speaker" name of ../shared/data/speech (heldout_native.txt's
    form): librispeech_163 -> librispeech/163; other speakers (arctic_bdl, ...) are not there."""
    spk = r["speaker"]
    if spk.startswith("librispeech_"):
        return "librispeech/" + spk[len("librispeech_"):]
    return "native_extra/" + spk


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", required=True, help="directory holding the source repositories")
    ap.add_argument("--out", default=os.path.join(HERE, "cache", "native_extra"))
    ap.add_argument("--heldout-native", default=HELDOUT_NATIVE,
                    help="native dev speakers (their clips, and clips of their texts, stay out of the train split)")
    ap.add_argument("--data", default=DEFAULT_DATA,
                    help="shared data dir, for the held-out native speakers' texts (skipped if absent)")
    a = ap.parse_args(argv)
    if not os.path.isdir(a.sources):
        sys.exit("native_extra: %s: not a directory" % a.sources)
    rows = read_list()
    held = set(common.read_heldout(a.heldout_native)) if os.path.exists(a.heldout_native) else set()
    held_texts = set()
    if held and os.path.isdir(os.path.join(a.data, "speech", "librispeech")):
        held_texts = common.native_heldout_texts(a.data, sorted(held))
    n0 = len(rows)
    rows = [r for r in rows if not (r["split"] == "train" and (corpus_speaker(r) in held or r["text"] in held_texts))]
    if len(rows) < n0:
        print("native_extra: %d training clips of (or read by) native dev speakers left out" % (n0 - len(rows)),
              flush=True)
    out = extra_real.stage(rows, a.sources, a.out, SOURCE, "native_extra")
    return 0 if out["train"] else 1


if __name__ == "__main__":
    sys.exit(main())
