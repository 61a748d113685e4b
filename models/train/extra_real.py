"""Stage the real English speech listed in extra_real.tsv.gz (clips from public GitHub
repositories: Speech Commands subsets, Common Voice sentences, Mycroft's wake-word
recordings) as 16 kHz WAV with train/dev manifests.

  python3 models/train/extra_real.py --sources DIR [--out models/train/cache/extra_real]

The audio is not part of this repository. DIR holds the source repositories, each either
as a git clone at DIR/OWNER/NAME (work tree or .git) or as a bare mirror at
DIR/OWNER+NAME/repo; every clip is read at the commit the list names and checked against
its md5 before it is converted (sox). Clips that are missing or differ are skipped and
counted. Output: OUT/wav/NAME.wav, OUT/train.tsv, OUT/dev.tsv (path, text, source, seconds;
the dev split is whole speakers: every tenth speaker hash of Speech Commands and Common
Voice), OUT/origin.tsv. Licences: Speech Commands CC BY 4.0 (Pete Warden / Google,
arXiv:1804.03209), Common Voice CC0, Mycroft Precise-Community-Data public domain.
"""
import argparse
import gzip
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extra_real.tsv.gz")
HELDOUT_NATIVE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "heldout_native.txt")


def read_list(path=LIST):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = [ln.rstrip("\n") for ln in f if not ln.startswith("#")]
    head = lines[0].split("\t")
    return [dict(zip(head, ln.split("\t"))) for ln in lines[1:] if ln]


def xreal_dev_exclusions(path=LIST):
    """(speakers, texts) of the dev split's Common Voice clips, as "commonvoice/cv<12 hex>" names of
    ../shared/data/speech/commonvoice (its speaker folder is "cv" + the first 12 hex digits of the
    client_id, the list's speaker the first 16): the native training set leaves them out."""
    spk, texts = set(), set()
    for r in read_list(path):
        if r["split"] == "dev":
            texts.add(r["text"])
            if r["name"].startswith("cv_"):
                spk.add("commonvoice/cv" + r["speaker"][:12])
    return spk, texts


def native_heldout_cv(path=HELDOUT_NATIVE):
    """Client-id prefixes of the Common Voice speakers held out for the native dev set."""
    if not os.path.exists(path):
        return set()
    return {h.split("/", 1)[1][2:] for h in common.read_heldout(path) if h.startswith("commonvoice/")}


def blob(sources, repo, commit, path):
    """The file's bytes at commit, or None."""
    owner, name = repo.split("/", 1)
    for gd in (os.path.join(sources, owner + "+" + name, "repo"), os.path.join(sources, owner, name, ".git"),
               os.path.join(sources, owner, name)):
        if os.path.isdir(gd):
            r = subprocess.run(["git", "--git-dir", gd, "show", "%s:%s" % (commit, path)], capture_output=True)
            if r.returncode == 0:
                return r.stdout
    p = os.path.join(sources, owner, name, path)
    if os.path.isfile(p):
        with open(p, "rb") as f:
            return f.read()
    return None


def stage(rows, sources, out_dir, source, label):
    """Stage list rows (read_list's dicts) from the repositories under sources as 16 kHz mono
    WAV under out_dir/wav, md5-checked, and write out_dir/{train,dev,origin}.tsv with the given
    source column; prints one summary line starting with label. Returns {split: [(rel, text,
    seconds)]}. Shared by extra_real.py and native_extra.py."""
    os.makedirs(os.path.join(out_dir, "wav"), exist_ok=True)
    out = {"train": [], "dev": []}
    origin = []
    missing = mismatch = bad = 0
    with tempfile.TemporaryDirectory() as td:
        for r in rows:
            rel = "wav/%s.wav" % r["name"]
            dst = os.path.join(out_dir, rel)
            if not os.path.exists(dst):
                data = blob(sources, r["repo"], r["commit"], r["path"])
                if data is None:
                    missing += 1
                    continue
                if hashlib.md5(data).hexdigest() != r["md5"]:
                    mismatch += 1
                    continue
                src = os.path.join(td, "in" + (os.path.splitext(r["path"])[1].lower() or ".wav"))
                with open(src, "wb") as f:
                    f.write(data)
                tmp = dst + ".part.wav"
                if subprocess.run(["sox", "-V1", src, "-r", "16000", "-c", "1", "-b", "16", tmp]).returncode != 0:
                    bad += 1
                    continue
                os.replace(tmp, dst)
            x, sr = common.read_wav(dst)
            out[r["split"]].append((rel, r["text"], len(x) / float(sr)))
            origin.append((rel, r["repo"], r["commit"], r["path"], r["licence"], r["speaker"], r["md5"]))
    for split, items in out.items():
        with open(os.path.join(out_dir, split + ".tsv"), "w", encoding="utf-8") as f:
            f.write("path\ttext\tsource\tseconds\n")
            for rel, text, sec in items:
                f.write("%s\t%s\t%s\t%.3f\n" % (rel, text, source, sec))
    with open(os.path.join(out_dir, "origin.tsv"), "w", encoding="utf-8") as f:
        f.write("path\trepo\tcommit\tsrc_path\tlicence\tspeaker\tmd5\n")
        for o in origin:
            f.write("\t".join(o) + "\n")
    print("%s: train %d clips (%.1f min), dev %d clips (%.1f min); %d missing, %d changed, %d unreadable" % (
        label, len(out["train"]), sum(s for _, _, s in out["train"]) / 60, len(out["dev"]),
        sum(s for _, _, s in out["dev"]) / 60, missing, mismatch, bad), flush=True)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", required=True, help="directory holding the source repositories")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache", "extra_real"))
    ap.add_argument("--heldout-native", default=HELDOUT_NATIVE,
                    help="native dev speakers (their Common Voice clips are dropped from the train split)")
    a = ap.parse_args(argv)
    if not os.path.isdir(a.sources):
        sys.exit("extra_real: %s: not a directory" % a.sources)
    rows = read_list()
    # Common Voice speakers of the native dev set (heldout_native.txt) are never trained on.
    held_cv = native_heldout_cv(a.heldout_native)
    n0 = len(rows)
    rows = [r for r in rows if not (r["split"] == "train" and r["name"].startswith("cv_")
                                    and r["speaker"][:12] in held_cv)]
    if len(rows) < n0:
        print("extra_real: %d training clips of native dev speakers left out" % (n0 - len(rows)), flush=True)
    out = stage(rows, a.sources, a.out, "real", "extra_real")
    return 0 if out["train"] else 1


if __name__ == "__main__":
    sys.exit(main())
