"""Rebuild Hark's default acoustic model on a CPU machine, end to end:
prepare real data (speechocean762, FSDD, the native English read speech and
their held-out dev sets) -> synthesise TTS speech -> train (resumable,
wall-clock budget; real speech at least half of every epoch's audio) -> export
models/default (ONNX INT8, tokens.txt, model.json).

  python3 models/train/recipe.py --from-scratch --hours 20 --minutes 600
  python3 models/train/recipe.py --minutes 60           # continue checkpoints/latest.pt

Needs python3 with torch (>= 1.13), numpy, scipy, onnx; sox (FLAC decoding); opusdec
(opus-tools: the native speech is Ogg Opus);
espeak-ng and flite (synthesis); SVOX Pico and RHVoice when installed (Debian
non-free: a second, smaller synthetic set); optionally festival with the kal/ked
diphone voices (TTS dev set only); `scripts/setup.sh --model` installs them. The
extra real speech (extra_real.py) is used when staged. Every stage is cached under
models/train/cache/ (git-ignored): rerunning the same command skips finished synthesis and, with
--from-scratch, continues the interrupted run from cache/scratch.pt.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


def rel(p):
    return os.path.relpath(p, REPO)


def run(cmd):
    print("recipe: $ %s" % " ".join(cmd), flush=True)
    t = time.time()
    subprocess.run(cmd, check=True, cwd=REPO)
    print("recipe: (%.0f s)" % (time.time() - t), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"))
    ap.add_argument("--hours", type=float, default=20.0, help="hours of TTS speech to synthesise")
    ap.add_argument("--extra-real", default=os.environ.get("HARK_EXTRA_REAL", ""),
                    help="directory with the source repositories of extra_real.tsv.gz and native_extra.tsv.gz "
                         "(see extra_real.py, native_extra.py; default $HARK_EXTRA_REAL); without it a staged "
                         "cache/extra_real or cache/native_extra is still used")
    ap.add_argument("--extra-hours", type=float, default=2.5,
                    help="hours of SVOX Pico / RHVoice speech (cache/tts2), when those engines are installed")
    ap.add_argument("--minutes", type=float, default=600.0, help="training wall-clock budget")
    ap.add_argument("--batch-seconds", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--from-scratch", action="store_true",
                    help="do not start from checkpoints/latest.pt (train cache/scratch.pt, then copy it there)")
    ap.add_argument("--out", default=os.path.join(REPO, "models", "default"))
    ap.add_argument("--latest", default=os.path.join(HERE, "checkpoints", "latest.pt"),
                    help="the model's checkpoint (committed, fp16)")
    ap.add_argument("--skip-train", action="store_true")
    ap.add_argument("--skip-export", action="store_true")
    a = ap.parse_args()
    py = sys.executable
    c = a.cache
    os.makedirs(c, exist_ok=True)
    t0 = time.time()
    run([py, rel(os.path.join(HERE, "prepdata.py")), "--data", a.data, "--out", c, "--format", "wav",
         "--workers", str(a.workers)])
    run([py, rel(os.path.join(HERE, "synth.py")), "--data", a.data, "--out", os.path.join(c, "tts"),
         "--hours", str(a.hours), "--workers", str(a.workers)])
    xreal = os.path.join(c, "extra_real")
    nextra = os.path.join(c, "native_extra")
    if a.extra_real:
        run([py, rel(os.path.join(HERE, "extra_real.py")), "--sources", a.extra_real, "--out", xreal])
        run([py, rel(os.path.join(HERE, "native_extra.py")), "--sources", a.extra_real, "--out", nextra])
    elif not os.path.exists(os.path.join(xreal, "train.tsv")):
        print("recipe: no extra real speech staged (--extra-real DIR, see extra_real.py)", flush=True)
    tts2 = os.path.join(c, "tts2", "manifest.tsv")
    extra = [e for e, tool in (("pico", "pico2wave"), ("rhvoice", "RHVoice-test")) if shutil.which(tool)]
    if extra and a.extra_hours > 0:
        run([py, rel(os.path.join(HERE, "synth.py")), "--data", a.data, "--out", os.path.dirname(tts2),
             "--engines", ",".join(extra), "--hours", str(a.extra_hours), "--seed", "77",
             "--workers", str(a.workers)])
    else:
        print("recipe: SVOX Pico / RHVoice not installed: no second synthetic set", flush=True)
    dev_tts = os.path.join(c, "dev_tts_festival", "manifest.tsv")
    if shutil.which("text2wave"):
        run([py, rel(os.path.join(HERE, "synth.py")), "--data", a.data, "--festival", "--count", "60",
             "--out", os.path.dirname(dev_tts), "--workers", str(a.workers)])
    latest = a.latest
    ckpt = os.path.join(c, "scratch.pt") if a.from_scratch else latest
    if not a.skip_train:
        cmd = [py, rel(os.path.join(HERE, "train.py")),
               "--train", "real=" + os.path.join(c, "real", "manifest.tsv"),
               "--train", "fsdd=" + os.path.join(c, "fsdd", "manifest.tsv"),
               "--train", "tts=" + os.path.join(c, "tts", "manifest.tsv"),
               "--dev", "real=" + os.path.join(c, "dev_real", "manifest.tsv"),
               "--dev", "fsdd=" + os.path.join(c, "dev_fsdd", "manifest.tsv"),
               "--min-real-frac", "0.5",
               "--minutes", str(a.minutes), "--batch-seconds", str(a.batch_seconds),
               "--resume", ckpt, "--ckpt", ckpt, "--save-every", "600", "--eval-every", "1800",
               "--log", os.path.join(c, "train.log"), "--metrics", os.path.join(c, "metrics.json"),
               "--device", "cpu"]
        if os.path.exists(os.path.join(c, "native", "manifest.tsv")):
            cmd += ["--train", "native=" + os.path.join(c, "native", "manifest.tsv"),
                    "--dev", "native=" + os.path.join(c, "dev_native", "manifest.tsv")]
        if os.path.exists(tts2):
            cmd += ["--train", "tts2=" + tts2]
        if os.path.exists(os.path.join(xreal, "train.tsv")):
            cmd += ["--train", "xreal=" + os.path.join(xreal, "train.tsv"),
                    "--dev", "xreal=" + os.path.join(xreal, "dev.tsv")]
        if os.path.exists(os.path.join(nextra, "train.tsv")):
            cmd += ["--train", "native_extra=" + os.path.join(nextra, "train.tsv")]  # NATIVE_EXTRA.md
        if os.path.exists(dev_tts):
            cmd += ["--dev", "tts_festival=" + dev_tts]
        run(cmd)
        if a.from_scratch:
            os.makedirs(os.path.dirname(latest), exist_ok=True)
            shutil.copyfile(ckpt, latest)
    if not a.skip_export:
        run([py, rel(os.path.join(HERE, "export.py")), "--ckpt", latest, "--out", a.out])
        run([py, rel(os.path.join(HERE, "parity.py")), "--ckpt", latest])
    print("recipe: done in %.0f s" % (time.time() - t0), flush=True)


if __name__ == "__main__":
    main()
