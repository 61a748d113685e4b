"""Synthesise training speech with espeak-ng, flite, SVOX Pico and RHVoice (multiprocess).

Each item i gets one prompt (the usable prompts of tts-prompts.txt in file
order, minus the last --dev-prompts which are kept for the TTS dev set; about
6% of items are digit strings instead) and one random voice drawn from a
seeded per-item RNG, so a run is reproducible and cached: WAVs already present
in OUT/wav are not synthesised again. Output: 16 kHz mono int16 WAV (resampled
in-process with scipy.signal.resample_poly) and OUT/manifest.tsv, written
line by line as clips finish (train.py can follow it while synthesis runs).

  python3 models/train/synth.py --out models/train/cache/tts --hours 5
  python3 models/train/synth.py --out DIR --count 200 --engines espeak,flite --time-limit 150
  python3 models/train/synth.py --out DIR --engines pico,rhvoice --hours 2 --seed 77
  python3 models/train/synth.py --out DIR --festival --count 60     # dev set (held-out family)

Festival is never used for training (the held-out TTS family). RHVoice's
evgeniy-eng and lyubov voices are CC BY-NC-ND and are never used.
"""
import argparse
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_DATA = os.path.join(REPO, "..", "shared", "data")

ESPEAK_VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                 "en-029", "en-us-nyc", "en"]
FLITE_VOICES = ["kal", "kal16", "awb", "rms", "slt"]
PICO_VOICES = ["en-US", "en-GB"]
RHVOICE_VOICES = ["alan", "bdl", "clb", "slt"]  # LGPL-2.1+ (not the NC-licensed evgeniy-eng, lyubov)
# engine weights when any engine beyond espeak/flite is asked for (espeak/flite
# alone keep their original 65/35 draw, so existing caches stay valid)
ENGINE_WEIGHTS = {"espeak": 0.45, "flite": 0.25, "pico": 0.12, "rhvoice": 0.18}
FESTIVAL_VOICES = ["kal_diphone", "ked_diphone", "rab_diphone", "cmu_us_slt_arctic_hts"]
DEV_PROMPTS = 300  # the last usable prompts: never synthesised for training


def espeak_variants():
    dirs = []
    if os.environ.get("ESPEAK_DATA_PATH"):
        dirs.append(os.path.join(os.environ["ESPEAK_DATA_PATH"], "espeak-ng-data", "voices", "!v"))
    dirs += ["/usr/lib/x86_64-linux-gnu/espeak-ng-data/voices/!v", "/usr/share/espeak-ng-data/voices/!v"]
    for d in dirs:
        if os.path.isdir(d):
            v = sorted(os.listdir(d))
            if v:
                return v
    return ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5"]


def check_engines(engines):
    """Smoke-test each engine; return the ones that produce audio."""
    ok = []
    for e in engines:
        with tempfile.TemporaryDirectory() as td:
            out = os.path.join(td, "t.wav")
            try:
                if e == "espeak":
                    cmd = ["espeak-ng", "-v", "en-us", "-w", out, "hello world"]
                elif e == "flite":
                    cmd = ["flite", "-voice", "slt", "-t", "hello world", "-o", out]
                elif e == "festival":
                    cmd = ["text2wave", "-o", out, "-eval", "(voice_kal_diphone)"]
                elif e == "pico":
                    cmd = ["pico2wave", "-l", "en-US", "-w", out, "hello world"]
                elif e == "rhvoice":
                    cmd = ["RHVoice-test", "-p", "slt", "-R", "16000", "-o", out]
                else:
                    continue
                subprocess.run(cmd, input=b"hello world" if e in ("festival", "rhvoice") else None, timeout=60,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
                x, sr = common.read_wav(out)
                if len(x) > sr // 10:
                    ok.append(e)
                else:
                    print("synth: %s produced no audio" % e, flush=True)
            except Exception as ex:  # noqa: BLE001
                print("synth: engine %s unavailable: %s" % (e, str(ex)[:300]), flush=True)
    return ok


def festival_voices():
    """The FESTIVAL_VOICES installed here (text2wave fails on missing ones)."""
    ok = []
    for v in FESTIVAL_VOICES:
        with tempfile.TemporaryDirectory() as td:
            out = os.path.join(td, "t.wav")
            try:
                subprocess.run(["text2wave", "-o", out, "-eval", "(voice_%s)" % v], input=b"hello there",
                               timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                if len(common.read_wav(out)[0]) > 1600:
                    ok.append(v)
            except Exception:  # noqa: BLE001
                pass
    return ok


def plan_item(i, seed, prompts, engines, variants, festival=False):
    """Deterministic (spoken, label, engine, voice, params) for item i."""
    rng = random.Random(seed * 1000003 + i * 7919 + 17)
    if rng.random() < 0.06:
        spoken, label = common.digit_prompt(rng)
    else:
        spoken, label = prompts[i % len(prompts)]
    if festival:
        return spoken, label, "festival", rng.choice(FESTIVAL_VOICES), {}
    if set(engines) <= {"espeak", "flite"}:
        eng = engines[0] if len(engines) == 1 else ("espeak" if rng.random() < 0.65 else "flite")
    else:
        eng = rng.choices(engines, weights=[ENGINE_WEIGHTS.get(e, 0.1) for e in engines])[0]
    if eng not in engines:
        eng = engines[0]
    if eng == "pico":
        return spoken, label, "pico", rng.choice(PICO_VOICES), {
            "s": rng.randint(75, 125), "p": rng.randint(80, 125)}
    if eng == "rhvoice":
        return spoken, label, "rhvoice", rng.choice(RHVOICE_VOICES), {
            "s": rng.randint(75, 125), "p": rng.randint(85, 120)}
    if eng == "espeak":
        v = rng.choice(ESPEAK_VOICES)
        var = rng.choice(variants + [""] * 8)
        return spoken, label, "espeak", v + ("+" + var if var else ""), {
            "s": rng.randint(120, 210), "p": rng.randint(20, 80)}
    return spoken, label, "flite", rng.choice(FLITE_VOICES), {
        "ds": round(rng.uniform(0.8, 1.25), 3), "f0": rng.randint(90, 180)}


def _clean(text):
    t = text.lstrip(" -'\"")
    return t if t else text


def synth_one(job):
    i, spoken, label, eng, voice, params, out_path = job
    if os.path.exists(out_path):
        try:
            x, sr = common.read_wav(out_path)
            return i, label, "%s:%s" % (eng, voice), len(x) / float(sr), None
        except Exception:  # noqa: BLE001
            pass
    fd, tmp = tempfile.mkstemp(suffix=".wav", dir=os.path.dirname(out_path))
    os.close(fd)
    try:
        text = _clean(spoken)
        if eng == "espeak":
            cmd = ["espeak-ng", "-v", voice, "-s", str(params["s"]), "-p", str(params["p"]), "-w", tmp, text]
            inp = None
        elif eng == "flite":
            cmd = ["flite", "-voice", voice, "--setf", "duration_stretch=%s" % params["ds"],
                   "--setf", "int_f0_target_mean=%s" % params["f0"], "-t", text, "-o", tmp]
            inp = None
        elif eng == "pico":
            esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            cmd = ["pico2wave", "-l", voice, "-w", tmp,
                   "<speed level='%d'><pitch level='%d'>%s</pitch></speed>" % (params["s"], params["p"], esc)]
            inp = None
        elif eng == "rhvoice":
            cmd = ["RHVoice-test", "-p", voice, "-r", str(params["s"]), "-t", str(params["p"]), "-R", "16000",
                   "-o", tmp]
            inp = text.encode()
        else:
            cmd = ["text2wave", "-o", tmp, "-eval", "(voice_%s)" % voice]
            inp = text.encode()
        subprocess.run(cmd, input=inp, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        x, sr = common.read_wav(tmp)
        y = common.resample_to_16k(x, sr)
        if len(y) < 1600:
            return i, None, None, 0.0, "too short"
        common.write_wav(out_path, y)
        return i, label, "%s:%s" % (eng, voice), len(y) / 16000.0, None
    except Exception as ex:  # noqa: BLE001
        return i, None, None, 0.0, str(ex)[:200]
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA, help="shared data dir (default: ../shared/data from repo root)")
    ap.add_argument("--prompts", default=None, help="prompts file (default DATA/text/tts-prompts.txt)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--hours", type=float, default=None)
    ap.add_argument("--count", type=int, default=None)
    ap.add_argument("--time-limit", type=float, default=None, help="seconds; stop with what is done")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--engines", default="espeak,flite")
    ap.add_argument("--festival", action="store_true", help="dev set: festival voices on the held-out prompts")
    ap.add_argument("--dev-prompts", type=int, default=DEV_PROMPTS)
    a = ap.parse_args(argv)
    t0 = time.time()
    prompts_path = a.prompts or os.path.join(a.data, "text", "tts-prompts.txt")
    prompts = common.load_prompts(prompts_path)
    if a.festival:
        prompts = prompts[-a.dev_prompts:]
        engines = check_engines(["festival"])
        fvoices = festival_voices() if engines else []
        print("synth: festival voices %s" % fvoices, flush=True)
        if not fvoices:
            engines = []
    else:
        prompts = prompts[:-a.dev_prompts] if len(prompts) > 2 * a.dev_prompts else prompts
        engines = check_engines([e for e in a.engines.split(",") if e])
    print("synth: %d prompts, engines %s" % (len(prompts), engines), flush=True)
    os.makedirs(os.path.join(a.out, "wav"), exist_ok=True)
    man_path = os.path.join(a.out, "manifest.tsv")
    if not engines:
        # keep whatever is cached so far
        print("synth: no working engine", flush=True)
    variants = espeak_variants()
    count = a.count if a.count is not None else 10 ** 7
    if a.festival:
        count = min(count, len(prompts))
    max_sec = a.hours * 3600 if a.hours is not None else float("inf")
    deadline = t0 + a.time_limit if a.time_limit else float("inf")

    def jobs():
        for i in range(count):
            if time.time() > deadline:
                return
            if a.festival:
                rng = random.Random(a.seed + i)
                spoken, label = prompts[i]
                plan = (spoken, label, "festival", rng.choice(fvoices), {})
            else:
                plan = plan_item(i, a.seed, prompts, engines or ["espeak"], variants)
            yield (i,) + plan + (os.path.join(a.out, "wav", "%07d.wav" % i),)

    done = failed = 0
    total = 0.0
    by_engine = {}
    with open(man_path, "w", encoding="utf-8") as man:
        man.write("path\ttext\tsource\tseconds\n")
        man.flush()
        if engines:
            pool = mp.Pool(a.workers)
            try:
                for i, label, src, sec, err in pool.imap_unordered(synth_one, jobs(), chunksize=2):
                    if err is not None or label is None:
                        failed += 1
                        if failed <= 5:
                            print("synth: item %d failed: %s" % (i, err), flush=True)
                    else:
                        man.write("wav/%07d.wav\t%s\t%s\t%.3f\n" % (i, label, src, sec))
                        man.flush()
                        done += 1
                        total += sec
                        e = src.split(":")[0]
                        by_engine[e] = by_engine.get(e, 0.0) + sec
                        if done % 2000 == 0:
                            el = time.time() - t0
                            print("synth: %d clips %.2f h in %.0f s (%.0f audio-s/s)" % (done, total / 3600, el, total / el),
                                  flush=True)
                    if total >= max_sec or time.time() > deadline + 5:
                        break
            finally:
                pool.terminate()
                pool.join()
    el = time.time() - t0
    print("synth: done %d clips, %.2f h (%s), %d failed, %.0f s, %.0f audio-s/s" % (
        done, total / 3600, ", ".join("%s %.2f h" % (k, v / 3600) for k, v in sorted(by_engine.items())),
        failed, el, total / max(el, 1e-6)), flush=True)
    # stray temporaries from terminated workers
    for n in os.listdir(os.path.join(a.out, "wav")):
        if n.startswith("tmp") and n.endswith(".wav"):
            try:
                os.remove(os.path.join(a.out, "wav", n))
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
