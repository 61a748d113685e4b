"""Train Hark's CTC acoustic model within a wall-clock budget (resumable).

  python3 models/train/train.py --train real=cache/real/manifest.tsv --train fsdd=cache/fsdd/manifest.tsv \
      --watch cache/tts/manifest.tsv --dev real=cache/dev_real/manifest.tsv --dev fsdd=... \
      --minutes 30 --ckpt models/train/checkpoints/latest.pt [--resume models/train/checkpoints/latest.pt]

Manifests are TSV (path, text, source, seconds), see common.py. Rows whose
source is "real" are repeated --real-weight (3) times per epoch, "native" rows
(native English read speech, prepdata.py) --native-weight (1) times, "fsdd" rows
--fsdd-weight (2) times, plus random 2-6 digit strings made by concatenating
FSDD clips; everything else (TTS) once. If real + native speech would be less
than --min-real-frac (0: off) of an epoch's audio, random real/native clips are
repeated once more until it is not. --watch manifests are re-read at every
epoch start, so training can start while synth.py is still writing them.

All audio is loaded into RAM as int16. Batches (by total padded seconds,
length-bucketed) are assembled on CPU threads into a queue; waveform
augmentation (speed, gain, reverb, telephone band/mu-law, coloured noise), the
log-mel front-end and SpecAugment run on the training device.
"""
import argparse
import json
import math
import os
import queue
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from features import LogMel  # noqa: E402
from model import HarkCTC, count_params, load_checkpoint, save_checkpoint  # noqa: E402

SR = 16000


def log(msg, fh=None):
    line = "[%s] %s" % (time.strftime("%H:%M:%S"), msg)
    print(line, flush=True)
    if fh is not None:
        fh.write(line + "\n")
        fh.flush()


# ---------------------------------------------------------------- data

class Pool(object):
    """Utterances in RAM: audio int16 arrays, label id arrays, source kinds."""

    def __init__(self):
        self.audio, self.labels, self.kind, self.texts = [], [], [], []
        self.lock = threading.Lock()
        self.watch_offsets = {}
        self.exclude = set()  # label texts never trained on (held-out speakers' texts)
        self.excluded = 0

    def add_rows(self, rows, workers=min(16, os.cpu_count() or 2), max_seconds=30.0):
        if self.exclude:
            n = len(rows)
            rows = [r for r in rows if r[1] not in self.exclude]
            self.excluded += n - len(rows)

        def load(r):
            try:
                x = common.read_audio_16k(r[0])
            except Exception as ex:  # noqa: BLE001
                return None, str(ex)
            return x, None
        added = bad = 0
        with ThreadPoolExecutor(workers) as ex:
            for r, (x, err) in zip(rows, ex.map(load, rows)):
                lab = np.array(common.encode(r[1]), dtype=np.int32)
                if x is None or len(x) < 400 or len(x) > max_seconds * SR or len(lab) == 0:
                    bad += 1
                    continue
                src = r[2]
                kind = src if src in ("real", "native", "fsdd") else "tts"
                with self.lock:
                    self.audio.append(x)
                    self.labels.append(lab)
                    self.kind.append(kind)
                    self.texts.append(r[1])
                added += 1
        return added, bad

    def follow(self, path):
        """Add rows appended to a manifest since the last call."""
        if not os.path.exists(path):
            return 0
        off = self.watch_offsets.get(path, 0)
        rows, new_off = common.read_manifest(path, off)
        self.watch_offsets[path] = new_off
        if not rows:
            return 0
        return self.add_rows(rows)[0]

    def seconds(self, kind=None):
        return sum(len(a) for a, k in zip(self.audio, self.kind) if kind is None or k == kind) / SR


def plan_epoch(pool, rng, batch_seconds, max_utts, real_w, fsdd_w, digit_frac, native_w=1, min_real_frac=0.0,
               stats=None):
    """List of batches; each batch is a list of items: int index or a tuple of
    indices (FSDD clips to concatenate into a digit string). Real speech
    ("real" and "native" clips) is topped up to min_real_frac of the epoch's
    audio; stats (a dict) receives the epoch's seconds by kind."""
    n = len(pool.audio)
    kinds = pool.kind[:n]
    lens = [len(a) for a in pool.audio[:n]]
    items = []
    fsdd_idx = []
    weight = {"real": real_w, "native": native_w, "fsdd": fsdd_w}
    for i, k in enumerate(kinds):
        items += [i] * weight.get(k, 1)
        if k == "fsdd":
            fsdd_idx.append(i)
    if fsdd_idx:
        for _ in range(int(len(fsdd_idx) * digit_frac)):
            items.append(tuple(rng.choice(fsdd_idx) for _ in range(rng.randint(2, 6))))
    real_idx = [i for i, k in enumerate(kinds) if k in ("real", "native")]
    real_s = sum(lens[it] for it in items if not isinstance(it, tuple) and kinds[it] in ("real", "native"))
    total_s = sum(sum(lens[j] for j in it) if isinstance(it, tuple) else lens[it] for it in items)
    while real_idx and min_real_frac > 0 and real_s < min_real_frac * total_s:
        i = rng.choice(real_idx)
        items.append(i)
        real_s += lens[i]
        total_s += lens[i]

    def dur(it):
        if isinstance(it, tuple):
            return sum(lens[j] for j in it) + 0.2 * SR * len(it)
        return lens[it]
    keyed = sorted(((dur(it) * rng.uniform(0.95, 1.05), dur(it), it) for it in items), key=lambda t: t[0])
    batches, cur, cur_max = [], [], 0
    for _, d, it in keyed:
        m = max(cur_max, d)
        if cur and (m * (len(cur) + 1) > batch_seconds * SR or len(cur) >= max_utts):
            batches.append(cur)
            cur, m = [], d
        cur.append(it)
        cur_max = m
    if cur:
        batches.append(cur)
    if min_real_frac > 0 and real_idx:
        srt = sorted(real_idx, key=lambda i: lens[i])
        batches = [_top_up_real(b, min_real_frac, srt, kinds, lens, dur, rng, batch_seconds * SR, max_utts)
                   for b in batches]
    if stats is not None:
        stats.clear()
        for b in batches:
            for it in b:
                k = "fsdd" if isinstance(it, tuple) else kinds[it]
                stats[k] = stats.get(k, 0.0) + dur(it) / SR
    rng.shuffle(batches)
    return batches


def _top_up_real(batch, frac, srt, kinds, lens, dur, rng, budget, max_utts):
    """Length-bucketed batches of short clips can be mostly FSDD or TTS: give such a batch real
    speech (random real/native clips of about its median length) and drop some of its other
    clips (skipped this epoch) so that real speech is at least frac of its audio and its padded
    size stays within the budget. srt: the real/native clips sorted by length."""
    is_real = lambda it: not isinstance(it, tuple) and kinds[it] in ("real", "native")  # noqa: E731
    real = [it for it in batch if is_real(it)]
    keep = [it for it in batch if not is_real(it)]
    real_s = sum(lens[it] for it in real)
    keep_s = sum(dur(it) for it in keep)
    if real_s >= frac * (real_s + keep_s):
        return batch
    target = sorted(dur(it) for it in batch)[len(batch) // 2]
    lo, hi = 0, len(srt)
    while lo < hi:  # bisect on the clips' lengths
        mid = (lo + hi) // 2
        if lens[srt[mid]] < target:
            lo = mid + 1
        else:
            hi = mid
    pos = lo
    rng.shuffle(keep)
    added = []
    for _ in range(100000):
        n = len(real) + len(added) + len(keep)
        m = max([lens[it] for it in real + added] + [dur(it) for it in keep])
        if keep and (m * n > budget or n > max_utts):
            keep_s -= dur(keep.pop())
            continue
        if real_s < frac * (real_s + keep_s):
            i = srt[min(max(pos + rng.randint(-25, 25), 0), len(srt) - 1)]
            added.append(i)
            real_s += lens[i]
            continue
        break
    while len(added) > 1 and max([lens[it] for it in real + added] + [dur(it) for it in keep]) * (
            len(real) + len(added) + len(keep)) > budget:
        real_s -= lens[added.pop()]
    return real + added + keep


def make_batch(pool, batch, rng):
    """-> (int16 [B, N] tensor, lengths, targets (concat), target lengths)."""
    wavs, labs = [], []
    for it in batch:
        if isinstance(it, tuple):
            parts, lab = [], []
            for j in it:
                gap = np.zeros(int(rng.uniform(0.05, 0.35) * SR), np.int16)
                parts += [pool.audio[j], gap]
                if lab:
                    lab.append(0)
                lab += pool.labels[j].tolist()
            wavs.append(np.concatenate(parts[:-1]))
            labs.append(np.array(lab, np.int32))
        else:
            wavs.append(pool.audio[it])
            labs.append(pool.labels[it])
    lens = np.array([len(w) for w in wavs], np.int64)
    out = np.zeros((len(wavs), int(lens.max())), np.int16)
    for i, w in enumerate(wavs):
        out[i, :len(w)] = w
    tl = np.array([len(l) for l in labs], np.int64)
    tg = np.concatenate(labs).astype(np.int64)
    return torch.from_numpy(out), torch.from_numpy(lens), torch.from_numpy(tg), torch.from_numpy(tl)


class Loader(object):
    """Background threads: plan epochs (re-reading watched manifests) and
    assemble batches into a bounded queue so the device never waits."""

    def __init__(self, pool, args, seed, watch, logf, pin):
        self.pool, self.a, self.watch, self.logf, self.pin = pool, args, watch, logf, pin
        self.q = queue.Queue(maxsize=args.prefetch)
        self.plans = queue.Queue(maxsize=args.prefetch * 2)
        self.stop = threading.Event()
        self.rng = random.Random(seed)
        self.epoch = 0
        self.threads = [threading.Thread(target=self._planner, daemon=True)]
        for k in range(args.loader_threads):
            self.threads.append(threading.Thread(target=self._worker, args=(seed * 31 + k,), daemon=True))
        for t in self.threads:
            t.start()

    def _planner(self):
        while not self.stop.is_set():
            try:
                self._follow()
                stats = {}
                batches = plan_epoch(self.pool, self.rng, self.a.batch_seconds, self.a.max_utts,
                                     self.a.real_weight, self.a.fsdd_weight, self.a.digit_strings,
                                     self.a.native_weight, self.a.min_real_frac, stats)
                self.epoch += 1
                tot = sum(stats.values()) or 1.0
                log("loader: epoch %d plan: %d batches, %.2f h (%s; real speech %.0f%%)" % (
                    self.epoch, len(batches), tot / 3600,
                    ", ".join("%s %.0f%%" % (k, 100 * v / tot) for k, v in sorted(stats.items())),
                    100 * (stats.get("real", 0) + stats.get("native", 0)) / tot), self.logf)
                if not batches:
                    time.sleep(1.0)
                t_follow = time.time()
                for b in batches:
                    if self.watch and time.time() - t_follow > self.a.refresh_every:
                        # new synthetic clips: drop the rest of this epoch and re-plan with them
                        t_follow = time.time()
                        if self._follow():
                            break
                    while not self.stop.is_set():
                        try:
                            self.plans.put(b, timeout=0.5)
                            break
                        except queue.Full:
                            continue
                    if self.stop.is_set():
                        return
            except Exception as ex:  # noqa: BLE001
                log("loader: planner error %r" % (ex,), self.logf)
                time.sleep(1)

    def _follow(self):
        total = 0
        for w in self.watch:
            n = self.pool.follow(w)
            total += n
            if n:
                log("loader: +%d clips from %s (pool %.2f h: real %.2f h, native %.2f h, fsdd %.2f h, tts %.2f h)" % (
                    n, os.path.basename(os.path.dirname(w)) or w, self.pool.seconds() / 3600,
                    self.pool.seconds("real") / 3600, self.pool.seconds("native") / 3600,
                    self.pool.seconds("fsdd") / 3600, self.pool.seconds("tts") / 3600), self.logf)
        return total

    def _worker(self, seed):
        rng = random.Random(seed)
        while not self.stop.is_set():
            try:
                b = self.plans.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                batch = make_batch(self.pool, b, rng)
                if self.pin:
                    batch = tuple(t.pin_memory() for t in batch)
            except Exception as ex:  # noqa: BLE001
                log("loader: batch error %r" % (ex,), self.logf)
                continue
            while not self.stop.is_set():
                try:
                    self.q.put(batch, timeout=0.5)
                    break
                except queue.Full:
                    continue

    def get(self):
        return self.q.get()

    def close(self):
        self.stop.set()


# ---------------------------------------------------------------- augmentation (on device)

def _smooth_numbers(limit=1 << 24):
    out = []
    a = 1
    while a <= limit:
        b = a
        while b <= limit:
            c = b
            while c <= limit:
                out.append(c)
                c *= 5
            b *= 3
        a *= 2
    return sorted(out)


_FAST = _smooth_numbers()


def next_fast_len(n):
    """Smallest 2^a 3^b 5^c >= n (FFT sizes cuFFT/pocketfft handle quickly)."""
    import bisect
    return _FAST[bisect.bisect_left(_FAST, max(int(n), 1))]


def nearest_fast_len(x):
    import bisect
    i = bisect.bisect_left(_FAST, x)
    cands = _FAST[max(i - 1, 0):i + 1]
    return min(cands, key=lambda v: abs(v - x))


def _rand(n, lo, hi, dev):
    return torch.rand(n, device=dev) * (hi - lo) + lo


def _valid_mask(lens, N, dev):
    return (torch.arange(N, device=dev)[None, :] < lens[:, None]).float()


def augment(wav, lens, a):
    """wav float32 [B, N] in [-1, 1], lens [B] (device tensors)."""
    dev = wav.device
    B, N = wav.shape
    if next_fast_len(N) != N:  # zero-pad so every FFT below has a 5-smooth size
        wav = F.pad(wav, (0, next_fast_len(N) - N))
        N = wav.shape[1]
    # speed 0.9-1.1 (tempo+pitch, band-limited resampling of the whole batch via FFT)
    if random.random() < a.p_speed:
        M = max(nearest_fast_len(N / random.uniform(0.9, 1.1)), 2)
        s = N / float(M)
        X = torch.fft.rfft(wav, n=N)
        nb = M // 2 + 1
        if nb <= X.shape[1]:
            X = X[:, :nb]
        else:
            X = F.pad(X, (0, nb - X.shape[1]))
        wav = torch.fft.irfft(X, n=M) * (M / N)
        lens = torch.clamp(torch.floor(lens.float() / s).long(), max=M)
        N = M
    mask = _valid_mask(lens, N, dev)
    wav = wav * mask
    # gain -18..+3 dB per utterance
    wav = wav * (10 ** (_rand(B, -18, 3, dev) / 20))[:, None]
    # reverb on 30%: exponentially decaying noise impulse, RT60 0.15-0.75 s
    sel = torch.nonzero(torch.rand(B, device=dev) < a.p_reverb).flatten()
    if len(sel):
        rt = _rand(len(sel), 0.15, 0.75, dev)
        L = int(0.75 * SR)
        t = torch.arange(L, device=dev).float()[None, :] / SR
        h = torch.randn(len(sel), L, device=dev) * torch.exp(-6.9 * t / rt[:, None])
        h = h * (t < rt[:, None]).float()
        h = h / (h.norm(dim=1, keepdim=True) + 1e-8) * _rand(len(sel), 0.5, 3.0, dev)[:, None]
        h[:, 0] = 1.0  # direct path; the tail's energy sets the direct-to-reverberant ratio
        n = next_fast_len(N + L)
        y = torch.fft.irfft(torch.fft.rfft(wav[sel], n=n) * torch.fft.rfft(h, n=n), n=n)[:, :N]
        x0 = wav[sel]
        y = y * (x0.pow(2).sum(1, keepdim=True) / (y.pow(2).sum(1, keepdim=True) + 1e-8)).sqrt()
        wav = wav.index_copy(0, sel, y * mask[sel])
    # telephone band on 25%: 200 Hz - 3.3/3.9 kHz, half of them mu-law 8 bit
    sel = torch.nonzero(torch.rand(B, device=dev) < a.p_phone).flatten()
    if len(sel):
        X = torch.fft.rfft(wav[sel], n=N)
        f = torch.fft.rfftfreq(N, 1.0 / SR).to(dev)[None, :]
        hi = torch.where(torch.rand(len(sel), device=dev) < 0.5, torch.tensor(3300.0, device=dev),
                         torch.tensor(3900.0, device=dev))[:, None]
        g = torch.sigmoid((f - 200.0) / 30.0) * torch.sigmoid((hi - f) / 60.0)
        y = torch.fft.irfft(X * g, n=N)
        mu = (torch.rand(len(sel), device=dev) < 0.5).float()[:, None]
        peak = y.abs().amax(dim=1, keepdim=True).clamp_min(1e-4)
        lvl = torch.clamp(peak, max=1.0) / peak  # keep in [-1, 1] for the codec
        z = (y * lvl).clamp(-1, 1)
        c = torch.sign(z) * torch.log1p(255 * z.abs()) / math.log(256.0)
        c = torch.round(c * 127.0) / 127.0
        z = torch.sign(c) * ((256.0 ** c.abs()) - 1) / 255.0
        y = mu * (z / lvl) + (1 - mu) * y
        wav = wav.index_copy(0, sel, y * mask[sel])
    # coloured noise on 50%: white / pink / brown at 5-35 dB SNR
    sel = torch.nonzero(torch.rand(B, device=dev) < a.p_noise).flatten()
    if len(sel):
        k = len(sel)
        wn = torch.randn(k, N, device=dev)
        alpha = torch.randint(0, 3, (k,), device=dev).float()[:, None]  # 0 white, 1 pink, 2 brown
        f = torch.fft.rfftfreq(N, 1.0 / SR).to(dev)[None, :].clamp_min(20.0)
        nz = torch.fft.irfft(torch.fft.rfft(wn) * (f / 1000.0) ** (-alpha / 2), n=N)
        m = mask[sel]
        nz = nz * m
        ps = (wav[sel].pow(2) * m).sum(1) / m.sum(1).clamp_min(1)
        pn = nz.pow(2).sum(1) / m.sum(1).clamp_min(1)
        snr = _rand(k, 5, 35, dev)
        scale = (ps / (pn + 1e-12) / (10 ** (snr / 10))).sqrt()
        wav = wav.index_copy(0, sel, wav[sel] + nz * scale[:, None])
    return wav.clamp(-1.0, 1.0) * mask, lens


def spec_augment(feats, flen, fill):
    """feats [B, 80, T]; 2 freq masks (F=15), 2-5 time masks of up to 5% each,
    filled with the normaliser mean (zero after normalisation)."""
    B, C, T = feats.shape
    dev = feats.device
    keep = torch.ones(B, C, T, dtype=torch.bool, device=dev)
    bins = torch.arange(C, device=dev)[None, :]
    for _ in range(2):
        w = torch.randint(0, 16, (B, 1), device=dev)
        f0 = (torch.rand(B, 1, device=dev) * (C - w).float()).long()
        keep &= ~((bins >= f0) & (bins < f0 + w))[:, :, None]
    fr = torch.arange(T, device=dev)[None, :]
    count = torch.randint(2, 6, (B, 1), device=dev)
    for k in range(5):
        w = (torch.rand(B, 1, device=dev) * 0.05 * flen[:, None].float()).long()
        t0 = (torch.rand(B, 1, device=dev) * (flen[:, None] - w).clamp_min(1).float()).long()
        m = (fr >= t0) & (fr < t0 + w) & (count > k)
        keep &= ~m[:, None, :]
    return torch.where(keep, feats, fill[None, :, None].expand(B, C, T))


# ---------------------------------------------------------------- evaluation

def evaluate(model, front, dev_sets, device, batch=32):
    model.eval()
    out = {}
    with torch.no_grad():
        for name, (audios, texts) in dev_sets.items():
            order = sorted(range(len(audios)), key=lambda i: len(audios[i]))
            hyps = [None] * len(audios)
            for s in range(0, len(order), batch):
                idx = order[s:s + batch]
                lens = torch.tensor([len(audios[i]) for i in idx])
                w = torch.zeros(len(idx), int(lens.max()))
                for j, i in enumerate(idx):
                    w[j, :len(audios[i])] = torch.from_numpy(audios[i].astype(np.float32) / 32768.0)
                feats, flen = front(w.to(device), lens.to(device))
                lp, ol = model(feats, flen)
                lp = lp.float().cpu().numpy()
                for j, i in enumerate(idx):
                    hyps[i] = common.greedy_decode(lp[j], int(ol[j]))
            r = common.error_rates(texts, hyps)
            r["examples"] = [{"ref": texts[i], "hyp": hyps[i]} for i in range(min(3, len(texts)))]
            out[name] = r
    model.train()
    return out


def compute_normaliser(pool, front, device, n=400, seed=0):
    rng = random.Random(seed)
    idx = list(range(len(pool.audio)))
    rng.shuffle(idx)
    s = torch.zeros(80, dtype=torch.float64)
    s2 = torch.zeros(80, dtype=torch.float64)
    cnt = 0
    with torch.no_grad():
        for i in idx[:n]:
            x = torch.from_numpy(pool.audio[i].astype(np.float32) / 32768.0)[None].to(device)
            f, fl = front(x, torch.tensor([x.shape[1]], device=device))
            f = f[0].double().cpu()
            s += f.sum(1)
            s2 += (f * f).sum(1)
            cnt += f.shape[1]
    mean = s / max(cnt, 1)
    std = (s2 / max(cnt, 1) - mean * mean).clamp_min(1e-6).sqrt()
    return mean.float(), std.float()


# ---------------------------------------------------------------- main

def parse_named(items):
    out = []
    for it in items or []:
        name, _, path = it.partition("=")
        if not path:
            name, path = os.path.basename(os.path.dirname(it)) or "set", it
        out.append((name, path))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", action="append", default=[], help="NAME=manifest.tsv (repeatable)")
    ap.add_argument("--watch", action="append", default=[], help="manifest followed while it grows")
    ap.add_argument("--dev", action="append", default=[], help="NAME=manifest.tsv dev set (repeatable)")
    ap.add_argument("--exclude-dev-texts", action="append", default=[], metavar="NAME",
                    help="never train on a clip whose text is in dev set NAME (repeatable; e.g. native: "
                         "synthetic speech may read a held-out speaker's sentence)")
    ap.add_argument("--minutes", type=float, default=10.0, help="wall-clock budget of this run")
    ap.add_argument("--seconds", type=float, default=None, help="budget in seconds (overrides --minutes)")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    ap.add_argument("--resume", default=None, help="checkpoint to start from")
    ap.add_argument("--ckpt", required=True, help="where to save the checkpoint (fp16)")
    ap.add_argument("--ckpt-copy", action="append", default=[], help="extra paths to copy the checkpoint to")
    ap.add_argument("--save-every", type=float, default=60.0, help="seconds")
    ap.add_argument("--eval-every", type=float, default=120.0, help="seconds")
    ap.add_argument("--log-every", type=int, default=25, help="steps")
    ap.add_argument("--log", default=None, help="also append the log here")
    ap.add_argument("--metrics", default=None, help="write final metrics JSON here")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--amp", choices=("auto", "bf16", "off"), default="auto", help="auto: bf16 autocast on CUDA")
    ap.add_argument("--batch-seconds", type=float, default=600.0)
    ap.add_argument("--max-utts", type=int, default=1024)
    ap.add_argument("--lr", type=float, default=None, help="peak lr (default 1e-3 from scratch, 5e-4 resumed)")
    ap.add_argument("--warmup", type=int, default=None,
                    help="warm-up steps (default 1500 from scratch, 300 resumed; at most 35%% of the time budget)")
    ap.add_argument("--inter-ctc", type=float, default=0.3,
                    help="weight of the intermediate CTC loss after the middle block (0: off)")
    ap.add_argument("--final-lr-frac", type=float, default=0.03)
    ap.add_argument("--weight-decay", type=float, default=1e-3)
    ap.add_argument("--real-weight", type=int, default=3)
    ap.add_argument("--native-weight", type=int, default=1, help="repeats per epoch of \"native\" clips")
    ap.add_argument("--min-real-frac", type=float, default=0.0,
                    help="real + native speech at least this share of every epoch's audio (0: off)")
    ap.add_argument("--fsdd-weight", type=int, default=2)
    ap.add_argument("--digit-strings", type=float, default=0.3, help="digit strings per FSDD clip per epoch")
    ap.add_argument("--p-speed", type=float, default=0.8)
    ap.add_argument("--p-reverb", type=float, default=0.3)
    ap.add_argument("--p-phone", type=float, default=0.25)
    ap.add_argument("--p-noise", type=float, default=0.5)
    ap.add_argument("--no-augment", action="store_true")
    ap.add_argument("--aug-ramp", type=int, default=None,
                    help="steps over which augmentation and SpecAugment ramp up from none "
                         "(default: the warm-up from scratch, 0 resumed)")
    ap.add_argument("--prefetch", type=int, default=6)
    ap.add_argument("--refresh-every", type=float, default=20.0, help="seconds between reads of --watch manifests")
    ap.add_argument("--loader-threads", type=int, default=3)
    ap.add_argument("--small", action="store_true", help="tiny model (tests)")
    ap.add_argument("--block-norm", choices=("pre", "post"), default="pre",
                    help="new models only: pre-norm residual blocks (default) or the post-norm Conformer block")
    a = ap.parse_args(argv)

    t_start = time.time()
    budget = a.seconds if a.seconds is not None else a.minutes * 60.0
    os.makedirs(os.path.dirname(os.path.abspath(a.ckpt)), exist_ok=True)
    logf = open(a.log, "a", encoding="utf-8") if a.log else None
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    device = torch.device(a.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    # model
    step0, extra0 = 0, {}
    if a.resume and os.path.exists(a.resume):
        model, ck = load_checkpoint(a.resume)
        step0, extra0 = ck.get("step", 0), ck.get("extra", {})
        log("resumed %s at step %d (%.1f h of audio seen)" % (a.resume, step0, extra0.get("audio_hours", 0.0)), logf)
        resumed = True
    else:
        if a.resume:
            log("no checkpoint at %s: starting from scratch" % a.resume, logf)
        cfg = dict(d_model=64, n_layers=2, ff_dim=128, sub_channels=32, n_heads=4) if a.small else {}
        cfg["block_norm"] = a.block_norm
        model = HarkCTC(**cfg)
        resumed = False
    model.to(device)
    log("model %.2f M params, device %s, torch %s" % (count_params(model) / 1e6, device, torch.__version__), logf)
    front = LogMel(device)
    random.seed(a.seed + step0)
    torch.manual_seed(a.seed + step0)

    # data
    pool = Pool()
    for name, path in parse_named(a.dev):
        if name in a.exclude_dev_texts:
            pool.exclude |= {r[1] for r in common.read_manifest(path)[0]}
    for name, path in parse_named(a.train):
        try:
            rows, _ = common.read_manifest(path)
            t0 = time.time()
            n, bad = pool.add_rows(rows)
            log("loaded %s: %d clips (%d skipped) in %.1f s" % (name, n, bad, time.time() - t0), logf)
        except Exception as ex:  # noqa: BLE001
            log("training set %s unavailable: %r" % (name, ex), logf)
    for w in a.watch:
        n = pool.follow(w)
        log("loaded watched %s: %d clips" % (w, n), logf)
    if not pool.audio:
        # wait a little for a watched manifest (synthesis just started)
        while not pool.audio and time.time() - t_start < min(120, budget / 3):
            time.sleep(3)
            for w in a.watch:
                pool.follow(w)
    if not pool.audio:
        log("no training data: abort", logf)
        return 2
    if a.exclude_dev_texts:
        log("excluded %d training clips whose text is in dev %s" % (pool.excluded, ",".join(a.exclude_dev_texts)),
            logf)
    log("pool %.2f h (real %.2f, native %.2f, fsdd %.2f, tts %.2f)" % (
        pool.seconds() / 3600, pool.seconds("real") / 3600, pool.seconds("native") / 3600,
        pool.seconds("fsdd") / 3600, pool.seconds("tts") / 3600), logf)
    dev_sets = {}
    for name, path in parse_named(a.dev):
        try:
            rows, _ = common.read_manifest(path)
            auds, texts = [], []
            for r in rows:
                try:
                    auds.append(common.read_audio_16k(r[0]))
                    texts.append(r[1])
                except Exception as ex:  # noqa: BLE001
                    log("dev %s: skip %s (%s)" % (name, r[0], ex), logf)
            if auds:
                dev_sets[name] = (auds, texts)
                log("dev %s: %d clips" % (name, len(auds)), logf)
        except Exception as ex:  # noqa: BLE001
            log("dev %s unavailable: %r" % (name, ex), logf)

    if not resumed:
        mean, std = compute_normaliser(pool, front, device)
        model.set_normaliser(mean.to(device), std.to(device))
        log("normaliser: mean %.2f..%.2f std %.2f..%.2f" % (mean.min(), mean.max(), std.min(), std.max()), logf)

    peak = a.lr if a.lr is not None else (5e-4 if resumed else 1e-3)
    # A short warm-up collapsed the first GPU run: the Conformer blocks' output
    # became constant over time and the model emitted the same letters for any
    # input. Warm up by steps; the time cap only matters for very short runs.
    warm = a.warmup if a.warmup is not None else (300 if resumed else 1500)
    warm_frac = 0.35
    inter_layer = len(model.blocks) // 2 if a.inter_ctc > 0 else 0
    # Clean speech first: the probabilities of every waveform augmentation and of
    # SpecAugment grow linearly over aug_ramp steps (the CTC alignment is found
    # sooner on clean audio; full augmentation follows).
    aug_ramp = a.aug_ramp if a.aug_ramp is not None else (0 if resumed else warm)
    aug_p = {k: getattr(a, k) for k in ("p_speed", "p_reverb", "p_phone", "p_noise")}
    decay, no_decay = [], []
    for n_, p in model.named_parameters():
        (no_decay if p.ndim < 2 else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=peak, betas=(0.9, 0.98), eps=1e-8)
    if resumed and "optimizer" in ck:
        try:
            opt.load_state_dict(ck["optimizer"])
        except Exception as ex:  # noqa: BLE001
            log("optimizer state not restored: %r" % (ex,), logf)

    loader = Loader(pool, a, a.seed * 1009 + step0, a.watch, logf, pin=device.type == "cuda")
    use_bf16 = a.amp == "bf16" or (a.amp == "auto" and device.type == "cuda")
    audio_hours = float(extra0.get("audio_hours", 0.0))
    step = step0
    last_save = last_eval = time.time()
    stat_loss, stat_n, stat_sec, stat_wait, t_int = 0.0, 0, 0.0, 0.0, time.time()
    metrics = {}
    reserve = min(15.0, 0.1 * budget)  # for the final eval and save

    def save(final=False):
        ex = {"audio_hours": audio_hours, "elapsed_s": time.time() - t_start, "metrics": metrics,
              "pool_hours": pool.seconds() / 3600, "torch": torch.__version__}
        save_checkpoint(a.ckpt, model, step, ex)
        for c in a.ckpt_copy:
            try:
                import shutil
                shutil.copyfile(a.ckpt, c + ".tmp")
                os.replace(c + ".tmp", c)
            except OSError as e:
                log("copy to %s failed: %s" % (c, e), logf)
        log("saved %s (step %d%s)" % (a.ckpt, step, ", final" if final else ""), logf)

    def write_metrics(final=False):
        if not a.metrics:
            return
        res = {"final": final, "step": step, "steps_this_run": step - step0, "audio_hours_seen": audio_hours,
               "elapsed_s": time.time() - t_start, "pool_hours": pool.seconds() / 3600,
               "pool_hours_by_kind": {k: pool.seconds(k) / 3600 for k in ("real", "native", "fsdd", "tts")},
               "dev": metrics, "device": str(device), "torch": torch.__version__,
               "batch_seconds": a.batch_seconds, "peak_lr": peak}
        with open(a.metrics + ".tmp", "w") as f:
            json.dump(res, f, indent=1)
        os.replace(a.metrics + ".tmp", a.metrics)

    log("training: peak lr %.2g, warm-up %d steps (at most %d%% of the time), budget %.0f s, batch %.0f s audio, "
        "intermediate CTC %s" % (peak, warm, 100 * warm_frac, budget, a.batch_seconds,
                                 ("%.2f after block %d" % (a.inter_ctc, inter_layer)) if inter_layer else "off"), logf)
    model.train()
    t_train = time.time()
    train_budget = max(budget - reserve - (t_train - t_start), 1.0)
    try:
        while True:
            el = time.time() - t_start
            if el > budget - reserve or (a.max_steps and step - step0 >= a.max_steps):
                break
            tw = time.time()
            batch = None
            while batch is None and time.time() - t_start < budget - reserve:
                try:
                    batch = loader.q.get(timeout=1.0)
                except queue.Empty:
                    pass
            if batch is None:
                log("no batch before the end of the budget", logf)
                break
            wav16, lens, tg, tl = batch
            stat_wait += time.time() - tw
            wav = wav16.to(device, non_blocking=True).float() / 32768.0
            lens = lens.to(device, non_blocking=True)
            tg = tg.to(device, non_blocking=True)
            tl = tl.to(device, non_blocking=True)
            raw_sec = float(lens.sum()) / SR
            ramp = min(1.0, (step - step0 + 1) / aug_ramp) if aug_ramp > 0 else 1.0
            for k, v in aug_p.items():
                setattr(a, k, v * ramp)
            with torch.no_grad():
                if not a.no_augment:
                    wav, lens = augment(wav, lens, a)
                feats, flen = front(wav, lens)
                if not a.no_augment and random.random() < ramp:
                    feats = spec_augment(feats, flen, model.feat_mean)
            frac = min(1.0, max(0.0, (time.time() - t_train) / train_budget))
            # warm-up ends after `warm` steps or `warm_frac` of the time budget, whichever is first
            lr = peak * min(1.0, max((step - step0 + 1) / max(warm, 1), frac / warm_frac)) * (
                a.final_lr_frac + (1 - a.final_lr_frac) * 0.5 * (1 + math.cos(math.pi * frac)))
            for g in opt.param_groups:
                g["lr"] = lr
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_bf16):
                outs = model(feats, flen, inter_layer)
            lp, ol = outs[0], outs[1]
            loss = F.ctc_loss(lp.float().transpose(0, 1), tg, ol, tl, blank=common.BLANK_ID,
                              reduction="mean", zero_infinity=True)
            if inter_layer:
                li = F.ctc_loss(outs[2].float().transpose(0, 1), tg, ol, tl, blank=common.BLANK_ID,
                                reduction="mean", zero_infinity=True)
                loss = (1 - a.inter_ctc) * loss + a.inter_ctc * li
            opt.zero_grad(set_to_none=True)
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            if torch.isfinite(gn):
                opt.step()
            step += 1
            audio_hours += raw_sec / 3600
            stat_loss += float(loss)
            stat_n += 1
            stat_sec += raw_sec
            if step % a.log_every == 0:
                dt = time.time() - t_int
                log("step %d loss %.3f audio-s/s %.0f lr %.2e wait %.0f%% epoch %d el %.0fs seen %.1fh" % (
                    step, stat_loss / stat_n, stat_sec / dt, lr, 100 * stat_wait / dt, loader.epoch,
                    time.time() - t_start, audio_hours), logf)
                stat_loss, stat_n, stat_sec, stat_wait, t_int = 0.0, 0, 0.0, 0.0, time.time()
            if dev_sets and time.time() - last_eval > a.eval_every:
                metrics = evaluate(model, front, dev_sets, device)
                log("dev @%d: %s" % (step, "  ".join("%s CER %.3f WER %.3f" % (k, v["cer"], v["wer"])
                                                     for k, v in metrics.items())), logf)
                write_metrics()
                last_eval = time.time()
            if time.time() - last_save > a.save_every:
                save()
                last_save = time.time()
    finally:
        loader.close()
    if dev_sets:
        metrics = evaluate(model, front, dev_sets, device)
        log("final dev @%d: %s" % (step, "  ".join("%s CER %.3f WER %.3f" % (k, v["cer"], v["wer"])
                                                   for k, v in metrics.items())), logf)
        for k, v in metrics.items():
            for e in v["examples"]:
                log("  %s ref: %s | hyp: %s" % (k, e["ref"], e["hyp"]), logf)
    save(final=True)
    write_metrics(final=True)
    log("done in %.0f s" % (time.time() - t_start), logf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
