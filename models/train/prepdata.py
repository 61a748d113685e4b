"""Build manifests (and decoded / re-encoded copies) of the real data.

  python3 models/train/prepdata.py --out models/train/cache [--format wav|opus] [--bitrate 20]

Writes OUT/{real,fsdd,dev_real,dev_fsdd,native,dev_native}/manifest.tsv:
  real        speechocean762 minus the held-out speakers (heldout.txt) and minus
              any utterance whose text a held-out speaker (of either dev set) read
  fsdd        FSDD takes 5-49 of every speaker except jackson
  dev_real    the held-out speechocean762 speakers
  dev_fsdd    speaker jackson, takes 0-9 (100 clips)
  native      native English read speech (speech/librispeech, commonvoice,
              rhasspy_kathleen, vctk; Ogg Opus) minus the held-out speakers
              (heldout_native.txt), minus any clip whose text one of them read,
              minus the speakers and texts of extra_real.tsv.gz's dev split
              (source column "native")
  dev_native  the held-out native speakers (4 LibriSpeech readers, 20 Common Voice speakers)
format wav: 16 kHz int16 WAV decoded with sox (FLAC) or opusdec (Opus) (CPU recipe);
format opus: Ogg Opus at --bitrate (FSDD --fsdd-bitrate) kbps via opusenc (to carry the data to the
GPU machine, decoded there with libopusfile through ctypes). The native sets are only made
by default with --format wav (as Opus they are ~50 MB, over the GPU tree's budget; ask for
them with --only, their Opus files are then copied as they are).
"""
import argparse
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import extra_real  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_DATA = os.path.join(REPO, "..", "shared", "data")


def convert(src, dst, fmt, bitrate):
    if os.path.exists(dst) and os.path.getsize(dst) > 0:
        return
    tmp = dst + ".part"
    if src.lower().endswith(".opus") and fmt == "wav":
        tmp += ".wav"  # opusdec writes a WAV header only for a .wav name
        subprocess.run(["opusdec", "--quiet", "--rate", "16000", "--no-dither", src, tmp], check=True,
                       stderr=subprocess.DEVNULL)
    elif src.lower().endswith(".opus"):
        shutil.copyfile(src, tmp)
    elif fmt == "wav":
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
    ap.add_argument("--heldout-native", default=os.path.join(HERE, "heldout_native.txt"))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", default=None,
                    help="comma-separated sets (default: all; without native,dev_native for --format opus)")
    a = ap.parse_args(argv)
    held = common.read_heldout(a.heldout)
    held_native = common.read_heldout(a.heldout_native)
    native_texts = common.native_heldout_texts(a.data, held_native)
    xdev_spk, xdev_texts = extra_real.xreal_dev_exclusions()
    only = set((a.only or ("real,fsdd,dev_real,dev_fsdd" + (",native,dev_native" if a.format == "wav" else "")))
               .split(","))
    sets = {
        "real": lambda: common.speechocean_rows(a.data, held, train=True, exclude_texts=native_texts),
        "dev_real": lambda: common.speechocean_rows(a.data, held, train=False),
        "fsdd": lambda: common.fsdd_rows(a.data, "train"),
        "dev_fsdd": lambda: [r for r in common.fsdd_rows(a.data, "dev")
                             if int(os.path.basename(r[0])[:-4].split("_")[2]) < 10],
        "native": lambda: common.native_rows(a.data, held_native, train=True, exclude_speakers=xdev_spk,
                                             exclude_texts=xdev_texts),
        "dev_native": lambda: common.native_rows(a.data, held_native, train=False),
    }
    for name, fn in sets.items():
        if name not in only:
            continue
        rows = fn()
        br = a.bitrate if "real" in name else a.fsdd_bitrate
        n = build(rows, os.path.join(a.out, name), a.format, br, a.workers)
        print("prepdata: %s %d clips (%.2f h) -> %s" % (name, n, sum(r[3] for r in rows) / 3600,
                                                        os.path.join(a.out, name)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
