"""Build manifests (and decoded / re-encoded copies) of the real data.

  python3 models/train/prepdata.py --out models/train/cache [--format wav|opus] [--bitrate 20]

Writes OUT/{real,fsdd,dev_real,dev_fsdd}/manifest.tsv:
  real      speechocean762 minus the held-out speakers (heldout.txt) and minus
            any utterance whose text a held-out speaker read
  fsdd      FSDD takes 5-49 of every speaker except jackson
  dev_real  the held-out speechocean762 speakers
  dev_fsdd  speaker jackson, takes 0-9 (100 clips)
format wav: 16 kHz int16 WAV decoded with sox (CPU recipe);
format opus: Ogg Opus at --bitrate (FSDD --fsdd-bitrate) kbps via opusenc (to carry the data to the
GPU machine, decoded there with libopusfile through ctypes).
"""
import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_DATA = os.path.join(REPO, "..", "shared", "data")


def convert(src, dst, fmt, bitrate):
    if os.path.exists(dst) and os.path.getsize(dst) > 0:
        return
    tmp = dst + ".part"
    if fmt == "wav":
        subprocess.run(["sox", src, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "wav", tmp],
                       check=True, stderr=subprocess.DEVNULL)
    else:
        subprocess.run(["opusenc", "--quiet", "--bitrate", str(bitrate), src, tmp], check=True,
                       stderr=subprocess.DEVNULL)
    os.replace(tmp, dst)


def build(rows, out_dir, fmt, bitrate, workers):
    os.makedirs(os.path.join(out_dir, "audio"), exist_ok=True)
    ext = ".wav" if fmt == "wav" else ".opus"
    jobs = []
    for r in rows:
        name = os.path.splitext(os.path.basename(r[0]))[0] + ext
        jobs.append((r[0], os.path.join(out_dir, "audio", name)))
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(lambda j: convert(j[0], j[1], fmt, bitrate), jobs))
    man = []
    for r, (_, dst) in zip(rows, jobs):
        sec = r[3]
        man.append(("audio/" + os.path.basename(dst), r[1], r[2], sec))
    common.write_manifest(os.path.join(out_dir, "manifest.tsv"), man)
    return len(man)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", required=True)
    ap.add_argument("--format", choices=("wav", "opus"), default="wav")
    ap.add_argument("--bitrate", type=float, default=14.0, help="opus kbps for speechocean762")
    ap.add_argument("--fsdd-bitrate", type=float, default=8.0, help="opus kbps for FSDD (8 kHz originals)")
    ap.add_argument("--heldout", default=os.path.join(HERE, "heldout.txt"))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", default="real,fsdd,dev_real,dev_fsdd")
    a = ap.parse_args(argv)
    held = common.read_heldout(a.heldout)
    only = set(a.only.split(","))
    sets = {
        "real": lambda: common.speechocean_rows(a.data, held, train=True),
        "dev_real": lambda: common.speechocean_rows(a.data, held, train=False),
        "fsdd": lambda: common.fsdd_rows(a.data, "train"),
        "dev_fsdd": lambda: [r for r in common.fsdd_rows(a.data, "dev")
                             if int(os.path.basename(r[0])[:-4].split("_")[2]) < 10],
    }
    for name, fn in sets.items():
        if name not in only:
            continue
        rows = fn()
        br = a.bitrate if "real" in name else a.fsdd_bitrate
        n = build(rows, os.path.join(a.out, name), a.format, br, a.workers)
        print("prepdata: %s %d clips -> %s" % (name, n, os.path.join(a.out, name)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
