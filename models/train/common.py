"""Shared helpers for Hark's acoustic-model recipe: vocabulary, text
normalisation, manifests, WAV/Opus I/O and error rates.

Only the standard library, numpy and scipy are used here, so this file works on
the CPU machine (Debian, torch 1.13) and on the GPU machine (torch 2.11).
"""
import csv
import ctypes
import io
import os
import random
import re
import struct
import wave

import numpy as np

SAMPLE_RATE = 16000

# CTC vocabulary, in this exact order (also models/default/tokens.txt).
# Index 0 is the word separator, 1..26 are a..z, 27 is the apostrophe and the
# blank is LAST (28), as in NeMo's character models.
SPACE_SYMBOL = "\u2581"
VOCAB = [SPACE_SYMBOL] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["'", "<blk>"]
BLANK_ID = len(VOCAB) - 1  # 28
NUM_CLASSES = len(VOCAB)  # 29
_CHAR_TO_ID = {" ": 0, "'": 27}
_CHAR_TO_ID.update({chr(c): c - ord("a") + 1 for c in range(ord("a"), ord("z") + 1)})

DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def tokens_txt():
    return "".join("%s %d\n" % (s, i) for i, s in enumerate(VOCAB))


def encode(text):
    """Normalised text -> list of label ids (no blank)."""
    return [_CHAR_TO_ID[c] for c in text if c in _CHAR_TO_ID]


def decode_ids(ids):
    out = []
    for i in ids:
        if i == BLANK_ID:
            continue
        out.append(" " if i == 0 else VOCAB[i])
    return re.sub(" +", " ", "".join(out)).strip()


def greedy_decode(logprobs_row, length):
    """logprobs_row: numpy [T, C]; CTC best path -> text."""
    best = np.asarray(logprobs_row[:length]).argmax(axis=-1)
    ids, prev = [], -1
    for b in best.tolist():
        if b != prev and b != BLANK_ID:
            ids.append(b)
        prev = b
    return decode_ids(ids)


# ---------------------------------------------------------------- text
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "mt", "co", "inc", "ltd",
    "prof", "gen", "capt", "lt", "col", "sgt", "rev", "hon", "messrs", "mme", "esq",
    "ave", "dept", "fig", "vol", "approx", "govt", "corp", "bros", "pp", "ft",
}
_ALLOWED_PROMPT = re.compile(r"^[A-Za-z .,;:!?'\"\-]+$")


def normalise_label(text):
    """Transcript -> label text: lowercase, a-z, apostrophe, single spaces.
    Hyphens become spaces; apostrophes survive only inside words."""
    t = text.lower().replace("\u2019", "'").replace("-", " ")
    t = re.sub(r"[^a-z' ]", " ", t)
    words = [w.strip("'") for w in t.split()]
    return " ".join(w for w in words if w)


def prompt_ok(text):
    """Filter for TTS prompts: only letters and plain punctuation, no
    abbreviations, no all-caps words (which TTS would spell out)."""
    if not _ALLOWED_PROMPT.match(text):
        return False
    for raw in text.split():
        w = raw.strip(".,;:!?\"'-")
        if not w:
            continue
        for part in w.split("-"):
            p = part.strip("'")
            if p.lower() in ABBREVIATIONS or (raw.endswith(".") and len(p) == 1 and p.isalpha() and p != "I"):
                return False
            letters = [c for c in p if c.isalpha()]
            if len(letters) >= 2 and all(c.isupper() for c in letters):
                return False
    return bool(normalise_label(text))


def load_prompts(path):
    """Returns list of (spoken_text, label) for usable prompts, file order."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and prompt_ok(line):
                out.append((line, normalise_label(line)))
    return out


def digit_prompt(rng, lo=2, hi=8):
    words = [DIGIT_WORDS[rng.randrange(10)] for _ in range(rng.randint(lo, hi))]
    s = " ".join(words)
    return s, s


# ---------------------------------------------------------------- manifests
# Manifest: TSV with header "path\ttext\tsource\tseconds"; path is relative to
# the manifest's directory unless absolute.

def write_manifest(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("path\ttext\tsource\tseconds\n")
        for r in rows:
            f.write("%s\t%s\t%s\t%.3f\n" % (r[0], r[1], r[2], float(r[3])))


def read_manifest(path, start_offset=0):
    """Read complete lines of a manifest from byte offset; returns
    (rows, new_offset). Rows have absolute-ised paths."""
    base = os.path.dirname(os.path.abspath(path))
    rows = []
    with open(path, "rb") as f:
        f.seek(start_offset)
        data = f.read()
    end = data.rfind(b"\n") + 1
    for line in data[:end].decode("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0] == "path":
            continue
        p = parts[0] if os.path.isabs(parts[0]) else os.path.join(base, parts[0])
        sec = float(parts[3]) if len(parts) > 3 and parts[3] else 0.0
        rows.append((p, parts[1], parts[2], sec))
    return rows, start_offset + end


# ---------------------------------------------------------------- audio I/O

def read_wav(path):
    """Robust PCM16 WAV reader (tolerates the bogus sizes streaming writers
    leave). Returns (int16 mono array, sample_rate)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a WAV file: %s" % path)
    pos, sr, ch, bits = 12, None, 1, 16
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = pos + 8
        if cid == b"fmt ":
            _fmt, ch, sr = struct.unpack("<HHI", data[body:body + 8])
            bits = struct.unpack("<H", data[body + 14:body + 16])[0]
        elif cid == b"data":
            end = min(len(data), body + size) if size not in (0, 0xFFFFFFFF) else len(data)
            if end <= body:
                end = len(data)
            raw = data[body:end]
            raw = raw[: len(raw) // 2 * 2]
            if bits != 16 or sr is None:
                raise ValueError("unsupported WAV (%s bits): %s" % (bits, path))
            x = np.frombuffer(raw, dtype="<i2")
            if ch > 1:
                x = x[: len(x) // ch * ch].reshape(-1, ch).mean(axis=1).astype(np.int16)
            return np.ascontiguousarray(x, dtype=np.int16), sr
        pos = body + size + (size & 1)
    raise ValueError("no data chunk: %s" % path)


def write_wav(path, x, sr=SAMPLE_RATE):
    x = np.asarray(x, dtype=np.int16)
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(x.tobytes())
    os.replace(tmp, path)


def resample_to_16k(x, sr):
    """int16 (or float) array at sr -> int16 at 16 kHz (polyphase)."""
    if sr == SAMPLE_RATE:
        return np.asarray(x, dtype=np.int16)
    from math import gcd
    x = np.asarray(x, dtype=np.float32)
    try:
        from scipy.signal import resample_poly
    except ImportError:  # no scipy: band-limited FFT resampling
        m = int(round(len(x) * SAMPLE_RATE / float(sr)))
        X = np.fft.rfft(x)
        nb = m // 2 + 1
        X = X[:nb] if nb <= len(X) else np.pad(X, (0, nb - len(X)))
        y = np.fft.irfft(X, n=m) * (m / float(max(len(x), 1)))
        return np.clip(np.round(y), -32768, 32767).astype(np.int16)
    g = gcd(SAMPLE_RATE, sr)
    y = resample_poly(x, SAMPLE_RATE // g, sr // g)
    return np.clip(np.round(y), -32768, 32767).astype(np.int16)


def read_audio_16k(path):
    """WAV, Opus (via libopusfile) or FLAC (via the sox/flac command line
    tools) -> int16 16 kHz."""
    low = path.lower()
    if low.endswith(".wav"):
        x, sr = read_wav(path)
        return resample_to_16k(x, sr)
    if low.endswith(".opus") or low.endswith(".ogg"):
        x, sr = opus_decode(path)
        return resample_to_16k(x, sr)
    if low.endswith(".flac"):
        import subprocess
        try:
            raw = subprocess.run(["sox", path, "-t", "raw", "-e", "signed-integer", "-b", "16",
                                  "-c", "1", "-r", "16000", "-"], check=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
            return np.frombuffer(raw, dtype="<i2").copy()
        except (OSError, subprocess.CalledProcessError):
            wavbytes = subprocess.run(["flac", "-d", "-c", "-s", path], check=True,
                                      stdout=subprocess.PIPE).stdout
            tmp = io.BytesIO(wavbytes)
            with wave.open(tmp) as w:
                x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
                return resample_to_16k(x, w.getframerate())
    raise ValueError("unknown audio format: %s" % path)


_OPUSFILE = None


def _load_opusfile():
    """Load libopusfile with ctypes. HARK_OPUS_LIBDIR may point at a private
    prefix (the GPU machine has no system libopus); libogg and libopus are
    preloaded from there so the soname lookup of libopusfile finds them."""
    global _OPUSFILE
    if _OPUSFILE is not None:
        return _OPUSFILE
    libdir = os.environ.get("HARK_OPUS_LIBDIR", "")
    for dep in ("libogg.so.0", "libopus.so.0"):
        p = os.path.join(libdir, dep) if libdir and os.path.exists(os.path.join(libdir, dep)) else dep
        try:
            ctypes.CDLL(p, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            pass
    p = os.path.join(libdir, "libopusfile.so.0")
    lib = ctypes.CDLL(p if libdir and os.path.exists(p) else "libopusfile.so.0")
    lib.op_open_file.restype = ctypes.c_void_p
    lib.op_open_file.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    lib.op_read.restype = ctypes.c_int
    lib.op_read.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int,
                            ctypes.POINTER(ctypes.c_int)]
    lib.op_free.restype = None
    lib.op_free.argtypes = [ctypes.c_void_p]
    lib.op_channel_count.restype = ctypes.c_int
    lib.op_channel_count.argtypes = [ctypes.c_void_p, ctypes.c_int]
    _OPUSFILE = lib
    return lib


def opus_decode(path):
    """Ogg Opus file -> (int16 mono at 48 kHz, 48000)."""
    lib = _load_opusfile()
    err = ctypes.c_int(0)
    of = lib.op_open_file(path.encode(), ctypes.byref(err))
    if not of:
        raise IOError("op_open_file failed (%d): %s" % (err.value, path))
    try:
        ch = lib.op_channel_count(of, -1)
        n = 5760 * 2 * max(ch, 1)
        buf = (ctypes.c_int16 * n)()
        chunks = []
        while True:
            r = lib.op_read(of, buf, n, None)
            if r < 0:
                raise IOError("op_read error %d: %s" % (r, path))
            if r == 0:
                break
            chunks.append(np.frombuffer(buf, dtype=np.int16, count=r * ch).copy())
        x = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        if ch > 1:
            x = x.reshape(-1, ch).mean(axis=1).astype(np.int16)
        return x, 48000
    finally:
        lib.op_free(of)


# ---------------------------------------------------------------- data sets

def speechocean_rows(data_dir, heldout_speakers, train=True, exclude_texts=()):
    """Rows (path, label, 'real', seconds) of speechocean762. train=True
    gives every non-held-out speaker minus any utterance whose text a held-out
    speaker read (or that is in exclude_texts: the native dev set's texts);
    train=False gives the held-out speakers' utterances."""
    base = os.path.join(data_dir, "speech", "speechocean762")
    with open(os.path.join(base, "transcripts.tsv"), encoding="utf-8") as f:
        recs = list(csv.DictReader(f, delimiter="\t"))
    held = set(heldout_speakers)
    held_text = {normalise_label(r["text"]) for r in recs if r["speaker"] in held} | set(exclude_texts)
    rows = []
    for r in recs:
        lab = normalise_label(r["text"])
        is_held = r["speaker"] in held
        if train and (is_held or lab in held_text):
            continue
        if not train and not is_held:
            continue
        rows.append((os.path.join(base, "audio", r["speaker"], r["id"] + ".flac"), lab, "real",
                     float(r["duration_s"])))
    return rows


def choose_heldout_speakers(data_dir, n=8, seed=762):
    """Fixed, seeded choice stratified by gender x child/adult (n/4 each)."""
    base = os.path.join(data_dir, "speech", "speechocean762")
    with open(os.path.join(base, "speakers.tsv"), encoding="utf-8") as f:
        spk = list(csv.DictReader(f, delimiter="\t"))
    rng = random.Random(seed)
    out = []
    for g in ("f", "m"):
        for child in (True, False):
            group = sorted(s["speaker"] for s in spk if s["gender"] == g and (int(s["age"]) < 15) == child)
            out += rng.sample(group, n // 4)
    return sorted(out)


def read_heldout(path):
    with open(path, encoding="utf-8") as f:
        return [l.split("#")[0].strip() for l in f if l.split("#")[0].strip()]


# Native English read speech (../shared/data/speech/{librispeech,commonvoice,
# rhasspy_kathleen,vctk}, Ogg Opus). A dev set of whole held-out speakers
# (heldout_native.txt, "corpus/speaker" per line) from LibriSpeech and Common
# Voice; Kathleen and VCTK are single speakers and are used for training only.
NATIVE_CORPORA = ("librispeech", "commonvoice", "rhasspy_kathleen", "vctk")


def _native_recs(data_dir, corpus):
    base = os.path.join(data_dir, "speech", corpus)
    with open(os.path.join(base, "transcripts.tsv"), encoding="utf-8") as f:
        recs = list(csv.DictReader(f, delimiter="\t"))
    for r in recs:
        r["corpus"] = corpus
        r["path"] = os.path.join(base, "audio", r["speaker"], r["id"] + ".opus")
        r["label"] = normalise_label(r["text"])
    return recs


def choose_native_heldout(data_dir, seed=2025, min_libri_s=1200.0, n_cv=20, libri_max_s=900.0):
    """Fixed, seeded choice of whole speakers for the native dev set:
    LibriSpeech readers with at most libri_max_s seconds (the 27 Mini
    LibriSpeech readers; the three 20-25 min readers stay in training), 2
    women and 2 men, then one more reader at a time (alternating women/men)
    until they total at least min_libri_s; and n_cv Common Voice speakers."""
    rng = random.Random(seed)
    base = os.path.join(data_dir, "speech", "librispeech")
    with open(os.path.join(base, "speakers.tsv"), encoding="utf-8") as f:
        gender = {r["speaker"]: r["gender"].upper() for r in csv.DictReader(f, delimiter="\t")}
    sec = {}
    for r in _native_recs(data_dir, "librispeech"):
        sec[r["speaker"]] = sec.get(r["speaker"], 0.0) + float(r["duration_s"])
    pools = {g: sorted((s for s in sec if gender.get(s) == g and sec[s] <= libri_max_s), key=int)
             for g in ("F", "M")}
    libri = []
    for g in ("F", "M"):
        pick = rng.sample(pools[g], 2)
        libri += pick
        pools[g] = [s for s in pools[g] if s not in pick]
    k = 0
    while sum(sec[s] for s in libri) < min_libri_s:
        g = ("F", "M")[k % 2]
        k += 1
        if pools[g]:
            s = rng.choice(pools[g])
            libri.append(s)
            pools[g].remove(s)
    cv = sorted({r["speaker"] for r in _native_recs(data_dir, "commonvoice")})
    out = ["librispeech/" + s for s in sorted(libri, key=int)]
    out += ["commonvoice/" + s for s in sorted(rng.sample(cv, n_cv))]
    return out


def native_rows(data_dir, heldout, train=True, exclude_speakers=(), exclude_texts=()):
    """Rows (path, label, 'native', seconds) of the native corpora. heldout:
    "corpus/speaker" items. train=True: every clip of a speaker not held out,
    minus any clip whose text a held-out speaker read, minus the speakers
    ("corpus/speaker") and texts in exclude_speakers / exclude_texts (those of
    the extra real speech's dev split); train=False: the held-out speakers'
    clips. Clips whose label is empty are dropped."""
    held = set(heldout)
    recs = [r for c in NATIVE_CORPORA for r in _native_recs(data_dir, c)]
    is_held = lambda r: (r["corpus"] + "/" + r["speaker"]) in held  # noqa: E731
    held_text = {r["label"] for r in recs if is_held(r)} | set(exclude_texts)
    bad_spk = set(exclude_speakers)
    rows = []
    for r in recs:
        if not r["label"]:
            continue
        if train and (is_held(r) or r["label"] in held_text or (r["corpus"] + "/" + r["speaker"]) in bad_spk):
            continue
        if not train and not is_held(r):
            continue
        rows.append((r["path"], r["label"], "native", float(r["duration_s"])))
    return rows


def native_heldout_texts(data_dir, heldout):
    """Normalised texts read by the held-out native speakers (never trained on)."""
    return {lab for _, lab, _, _ in native_rows(data_dir, heldout, train=False)}


FSDD_DEV_SPEAKER = "jackson"


def fsdd_rows(data_dir, split):
    """split: 'train' (takes 5-49, not jackson), 'test' (takes 0-4, not
    jackson), 'dev' (all of jackson)."""
    base = os.path.join(data_dir, "fsdd", "recordings")
    rows = []
    for name in sorted(os.listdir(base)):
        if not name.endswith(".wav"):
            continue
        d, spk, take = name[:-4].split("_")
        take = int(take)
        if split == "dev":
            ok = spk == FSDD_DEV_SPEAKER
        elif split == "train":
            ok = spk != FSDD_DEV_SPEAKER and take >= 5
        else:
            ok = spk != FSDD_DEV_SPEAKER and take < 5
        if ok:
            rows.append((os.path.join(base, name), DIGIT_WORDS[int(d)], "fsdd", 0.0))
    return rows


# ---------------------------------------------------------------- metrics

def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        prev = cur
    return prev[-1]


def error_rates(refs, hyps):
    ce = sum(edit_distance(r, h) for r, h in zip(refs, hyps))
    cn = sum(len(r) for r in refs)
    we = sum(edit_distance(r.split(), h.split()) for r, h in zip(refs, hyps))
    wn = sum(len(r.split()) for r in refs)
    return {"cer": ce / max(cn, 1), "wer": we / max(wn, 1), "n": len(refs)}
