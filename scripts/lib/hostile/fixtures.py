#!/usr/bin/python3
"""Writes the hostile inputs of scripts/hostile.sh (standard library only, plus sox for FLAC,
MP3 and Ogg). Usage: fixtures.py REPO OUT.  OUT gets audio/, import/, text/ and models/. The
malicious archives aim their path traversals, absolute names and links at OUT's parent (the
suite's temporary root, where it looks for escaped-* files), never outside it.

Every file is made from scratch or from the repository's own test data, deterministically
(fixed random seed), so two runs test the same bytes."""

import array
import gzip
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tarfile
import zipfile

REPO, OUT = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.abspath(OUT))  # the suite's temp root
rnd = random.Random(17)


def put(path, data, mode="wb"):
    path = os.path.join(OUT, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)
    return path


def garbage(n):
    return bytes(rnd.getrandbits(8) for _ in range(n))


def sox(*args):
    subprocess.run(["sox", *args], check=True, stderr=subprocess.DEVNULL)


# ---------------------------------------------------------------------------------- audio

HELLO = os.path.join(REPO, "testdata/tones/hello.wav")
with open(HELLO, "rb") as f:
    hello = f.read()
assert hello[36:40] == b"data", "testdata/tones/hello.wav: want a canonical 44-byte header"
pcm16 = array.array("h", hello[44:])  # little-endian host assumed (x86, arm)


def chunk(cid, data, size=None):
    """A RIFF chunk: id, declared size (default: the real one), data, pad byte if odd."""
    b = cid + struct.pack("<I", len(data) if size is None else size) + data
    return b + b"\0" if len(data) % 2 else b


def riff(*chunks, size=None, magic=b"RIFF", form=b"WAVE"):
    body = form + b"".join(chunks)
    return magic + struct.pack("<I", len(body) if size is None else size) + body


def fmt(tag=1, ch=1, rate=16000, bits=16, align=None, byte_rate=None, extra=b""):
    if align is None:
        align = (ch * bits // 8) & 0xFFFF
    if byte_rate is None:
        byte_rate = (rate * align) & 0xFFFFFFFF
    return struct.pack("<HHIIHH", tag, ch, rate, byte_rate, align, bits) + extra


def wav(data=None, data_size=None, **kw):
    return riff(chunk(b"fmt ", fmt(**kw)), chunk(b"data", pcm16.tobytes() if data is None else data, data_size))


PCM_GUID = struct.pack("<IHH", 1, 0, 0x10) + b"\x80\x00\x00\xaa\x00\x38\x9b\x71"


def extensible(sub_guid, bits=16):
    ext = struct.pack("<HHI", 22, bits, 4) + sub_guid
    return wav(tag=0xFFFE, bits=bits, extra=ext)


def audio():
    a = "audio/"
    put(a + "empty.wav", b"")
    put(a + "text.wav", b"hello world, this is not audio\n")
    for n in (1, 4, 8, 11, 12, 16, 20, 22, 24, 34, 36, 40, 43):
        put(a + f"trunc-{n}.wav", hello[:n])
    put(a + "trunc-44-no-samples.wav", hello[:44])
    put(a + "trunc-45-half-sample.wav", hello[:45])
    put(a + "trunc-mid-data.wav", hello[: len(hello) // 2 + 1])
    put(a + "rate-0.wav", wav(rate=0))
    put(a + "rate-1.wav", wav(rate=1))
    put(a + "rate-4g.wav", wav(rate=0xFFFFFFFF))
    put(a + "rate-192k.wav", wav(rate=192000))
    put(a + "rate-8k.wav", wav(data=pcm16[::2].tobytes(), rate=8000))
    put(a + "channels-0.wav", wav(ch=0))
    put(a + "channels-9.wav", wav(data=array.array("h", [s for s in pcm16[:8000] for _ in range(9)]).tobytes(), ch=9))
    put(a + "channels-65535.wav", wav(ch=65535))
    put(a + "bits-0.wav", wav(bits=0))
    put(a + "bits-7.wav", wav(bits=7, align=1))
    put(a + "bits-65535.wav", wav(bits=65535))
    put(a + "align-0.wav", wav(align=0))
    put(a + "data-size-4g.wav", wav(data_size=0xFFFFFFFF))
    put(a + "data-size-0.wav", wav(data_size=0))
    put(a + "data-size-odd.wav", wav(data=pcm16.tobytes() + b"\x01", data_size=len(pcm16) * 2 + 1))
    put(a + "fmt-size-2g.wav", riff(chunk(b"fmt ", fmt(), size=0x7FFFFFFF), chunk(b"data", pcm16.tobytes())))
    put(a + "fmt-size-2.wav", riff(chunk(b"fmt ", fmt()[:2]), chunk(b"data", pcm16.tobytes())))
    put(a + "riff-size-4.wav", wav()[:4] + struct.pack("<I", 4) + wav()[8:])
    put(a + "riff-size-4g.wav", wav()[:4] + struct.pack("<I", 0xFFFFFFFF) + wav()[8:])
    put(a + "no-data-chunk.wav", riff(chunk(b"fmt ", fmt())))
    put(a + "no-fmt-chunk.wav", riff(chunk(b"data", pcm16.tobytes())))
    put(a + "data-before-fmt.wav", riff(chunk(b"data", pcm16.tobytes()), chunk(b"fmt ", fmt())))
    put(a + "list-chunk-4g.wav", riff(chunk(b"fmt ", fmt()), chunk(b"LIST", b"INFO", size=0xFFFFFFF0), chunk(b"data", pcm16.tobytes())))
    put(a + "100k-chunks.wav", riff(chunk(b"fmt ", fmt()), chunk(b"junk", b"") * 100000, chunk(b"data", pcm16[:16000].tobytes())))
    put(a + "rifx-big-endian.wav", riff(chunk(b"fmt ", fmt()), chunk(b"data", pcm16.tobytes()), magic=b"RIFX"))
    put(a + "rf64.wav", riff(chunk(b"ds64", bytes(28)), chunk(b"fmt ", fmt()), chunk(b"data", pcm16.tobytes(), size=0xFFFFFFFF), magic=b"RF64", size=0xFFFFFFFF))
    put(a + "pcm8.wav", wav(data=bytes((s >> 8) + 128 for s in pcm16), bits=8))
    put(a + "pcm24.wav", wav(data=b"".join(struct.pack("<i", s << 8)[:3] for s in pcm16), bits=24))
    put(a + "pcm32.wav", wav(data=array.array("i", (s << 16 for s in pcm16)).tobytes(), bits=32))
    put(a + "float32.wav", wav(data=array.array("f", (s / 32768 for s in pcm16)).tobytes(), tag=3, bits=32))
    put(a + "float64.wav", wav(data=array.array("d", (s / 32768 for s in pcm16)).tobytes(), tag=3, bits=64))
    nan = float("nan")
    put(a + "float-nan.wav", wav(data=array.array("f", (nan if i % 3 == 0 else s / 32768 for i, s in enumerate(pcm16))).tobytes(), tag=3, bits=32))
    put(a + "float-inf.wav", wav(data=array.array("f", (float("inf") if i % 2 else float("-inf") for i in range(len(pcm16)))).tobytes(), tag=3, bits=32))
    put(a + "float-huge.wav", wav(data=array.array("f", (3e38 * (1 if i % 2 else -1) for i in range(len(pcm16)))).tobytes(), tag=3, bits=32))
    put(a + "float-16bit.wav", wav(tag=3, bits=16))
    put(a + "extensible-pcm.wav", extensible(PCM_GUID))
    put(a + "extensible-bad-guid.wav", extensible(garbage(16)))
    put(a + "extensible-cb-size-short.wav", wav(tag=0xFFFE, extra=struct.pack("<H", 2)))
    put(a + "adpcm-garbage.wav", wav(data=garbage(4000), tag=2, bits=4, align=256))
    put(a + "mp3-in-wav.wav", wav(data=garbage(4000), tag=0x55))
    put(a + "one-sample.wav", wav(data=pcm16[1000:1001].tobytes()))
    put(a + "silence-10min.wav", wav(data=bytes(10 * 60 * 16000 * 2)))
    put(a + "garbage.bin", garbage(5000))
    # Compressed formats come from sox, then get damaged.
    flac = put(a + "ok.flac", b"")
    sox(HELLO, flac)
    with open(flac, "rb") as f:
        fl = f.read()
    put(a + "flac-trunc-header.flac", fl[:30])
    put(a + "flac-trunc-half.flac", fl[: len(fl) // 2])
    put(a + "flac-garbage.flac", b"fLaC" + garbage(3000))
    put(a + "flac-streaminfo-zero.flac", b"fLaC\x80\x00\x00\x22" + bytes(34) + fl[42:])
    mp3 = put(a + "ok.mp3", b"")
    sox(HELLO, mp3)
    with open(mp3, "rb") as f:
        mp = f.read()
    put(a + "mp3-garbage.mp3", garbage(5000))
    put(a + "mp3-sync-garbage.mp3", b"".join(b"\xff\xfb" + garbage(400) for _ in range(10)))
    id3 = b"ID3\x03\x00\x00" + bytes([0, 0, 0x08, 0]) + b"\0" * 1024  # a 1 KiB ID3v2 tag and nothing else
    put(a + "mp3-id3-only.mp3", id3)
    put(a + "mp3-id3-size-huge.mp3", b"ID3\x03\x00\x00\x7f\x7f\x7f\x7f" + garbage(100))
    put(a + "mp3-trunc-half.mp3", mp[: len(mp) // 2])
    mp8 = put(a + "mp3-8khz.mp3", b"")
    sox(HELLO, "-r", "8000", mp8)
    put(a + "ogg.ogg", b"")
    sox(HELLO, os.path.join(OUT, a + "ogg.ogg"))


# --------------------------------------------------------------------------------- import

TONES = os.path.join(REPO, "testdata/models/tones")


def tones_files():
    out = {}
    for n in ("model.json", "model.onnx", "tokens.txt"):
        with open(os.path.join(TONES, n), "rb") as f:
            out[n] = f.read()
    return out


T = tones_files()


def model_dir(path, **override):
    """A copy of the tones model with some files replaced (None removes one)."""
    d = os.path.join(OUT, path)
    os.makedirs(d, exist_ok=True)
    files = dict(T)
    files.update(override)
    for n, b in files.items():
        if b is not None:
            with open(os.path.join(d, n), "wb") as f:
                f.write(b if isinstance(b, bytes) else b.encode())
    return d


def spec(**kw):
    s = json.loads(T["model.json"])
    s.update(kw)
    return json.dumps(s, indent=2) + "\n"


def tinfo(name, data=b"", kind=tarfile.REGTYPE, link="", size=None):
    ti = tarfile.TarInfo(name)
    ti.type, ti.linkname, ti.mode = kind, link, 0o644
    ti.size = len(data) if size is None else size
    return ti


def tar(path, entries, mode="w:gz"):
    """entries: (name, data) files, or TarInfo objects for links and special files."""
    with tarfile.open(os.path.join(OUT, path), mode, format=tarfile.GNU_FORMAT) as t:
        for e in entries:
            if isinstance(e, tarfile.TarInfo):
                t.addfile(e)
            else:
                t.addfile(tinfo(e[0], e[1]), io.BytesIO(e[1]))


def zipf(path, entries):
    """entries: (name, data) files, or (name, target, 'symlink')."""
    with zipfile.ZipFile(os.path.join(OUT, path), "w", zipfile.ZIP_DEFLATED) as z:
        for e in entries:
            zi = zipfile.ZipInfo(e[0])
            zi.external_attr = (0o120777 if len(e) == 3 else 0o100644) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, e[1])


def model_entries(prefix="m/"):
    return [(prefix + n, b) for n, b in T.items()]


def imports():
    i = "import/"
    os.makedirs(os.path.join(OUT, i), exist_ok=True)
    esc = os.path.relpath(ROOT, "/")  # for absolute names: the temp root, not /
    # The unpack directory is ROOT/CASE/data/hark/models/.import-X/unpacked, 6 levels below
    # ROOT: 6 ".." land in ROOT itself, where the suite looks for escaped-* files.
    up = "../" * 6
    tar(i + "traversal.tar.gz", model_entries() + [(up + "escaped-tgz", b"owned\n")])
    zipf(i + "traversal.zip", model_entries() + [(up + "escaped-zip", b"owned\n")])
    tar(i + "traversal-deep.tar.gz", model_entries() + [("m/../" + up + "escaped-deep", b"owned\n")])
    zipf(i + "traversal-backslash.zip", model_entries() + [("..\\" * 6 + "escaped-bs", b"owned\n")])
    tar(i + "absolute.tar.gz", model_entries() + [("/" + esc + "/escaped-abs-tgz", b"owned\n")])
    zipf(i + "absolute.zip", model_entries() + [("/" + esc + "/escaped-abs-zip", b"owned\n")])
    tar(i + "symlink-passwd.tar.gz", [("m/model.onnx", T["model.onnx"]), tinfo("m/tokens.txt", kind=tarfile.SYMTYPE, link="/etc/passwd")])
    zipf(i + "symlink-passwd.zip", [("m/model.onnx", T["model.onnx"]), ("m/tokens.txt", "/etc/passwd", "symlink")])
    tar(i + "symlink-write-through.tar.gz", [tinfo("m/d", kind=tarfile.SYMTYPE, link="../" + up)] + model_entries() + [("m/d/escaped-link", b"owned\n")])
    tar(i + "hardlink-outside.tar.gz", [("m/model.onnx", T["model.onnx"]), tinfo("m/tokens.txt", kind=tarfile.LNKTYPE, link="/etc/passwd")])
    tar(i + "hardlink-dotdot.tar.gz", [("m/model.onnx", T["model.onnx"]), tinfo("m/tokens.txt", kind=tarfile.LNKTYPE, link=up + "victim")])
    tar(i + "fifo-entry.tar.gz", model_entries() + [tinfo("m/pipe", kind=tarfile.FIFOTYPE)])
    tar(i + "device-entry.tar.gz", model_entries() + [tinfo("m/zero", kind=tarfile.CHRTYPE)])
    zipf(i + "many-files.zip", model_entries() + [(f"m/f/{k}", b"") for k in range(1500)])
    zipf(i + "zeros-20MB.zip", model_entries() + [("m/zeros.bin", bytes(20 << 20))])
    tar(i + "ok.tar.gz", model_entries())
    tar(i + "ok.tar.bz2", model_entries(), "w:bz2")
    tar(i + "ok.tar.xz", model_entries(), "w:xz")
    zipf(i + "ok.zip", model_entries())
    # A tar entry that declares 6 GiB (over the 4 GiB default) and then ends.
    hdr = tinfo("m/model.onnx", size=6 << 30).tobuf(tarfile.GNU_FORMAT)
    put(i + "declared-6GiB.tar.gz", gzip.compress(hdr + bytes(4096)))
    # A zip whose central directory says 10 bytes for a 1 MiB member.
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in model_entries():
            z.writestr(n, d)
        z.writestr("m/big.bin", bytes(1 << 20))
    zb = bytearray(b.getvalue())
    cd = zb.rfind(b"PK\x01\x02")  # the last central directory entry: m/big.bin
    struct.pack_into("<I", zb, cd + 24, 10)
    put(i + "size-lie.zip", bytes(zb))
    with open(os.path.join(OUT, i + "ok.tar.gz"), "rb") as f:
        ok = f.read()
    put(i + "truncated.tar.gz", ok[: len(ok) // 2])
    put(i + "garbage.tar.gz", b"\x1f\x8b" + garbage(3000))
    put(i + "garbage.zip", b"PK\x03\x04" + garbage(3000))
    put(i + "garbage.tar.bz2", b"BZh9" + garbage(3000))
    with open(os.path.join(OUT, i + "ok.tar.xz"), "rb") as f:
        okxz = f.read()
    put(i + "truncated.tar.xz", okxz[: len(okxz) // 2])
    put(i + "text.tar.gz", b"this is a text file, not an archive\n")
    tar(i + "empty.tar.gz", [])
    tar(i + "no-model.tar.gz", [("README", b"nothing to see\n"), ("docs/notes.txt", b"hi\n")])
    tar(i + "transducer.tar.gz", [("m/encoder.onnx", T["model.onnx"]), ("m/decoder.onnx", T["model.onnx"]), ("m/joiner.onnx", T["model.onnx"]), ("m/tokens.txt", T["tokens.txt"])])
    tar(i + "nested-5.tar.gz", model_entries("a/b/c/d/e/"))
    tar(i + "nested-1.tar.gz", model_entries("sherpa-onnx-model/"))
    # Model directories (imported as directories, and used with transcribe --model).
    d = i + "dirs/"
    model_dir(d + "good")
    model_dir(d + "no-tokens", **{"tokens.txt": None})
    model_dir(d + "no-onnx", **{"model.onnx": None})
    toks = T["tokens.txt"].decode().splitlines()
    model_dir(d + "tokens-dup-id", **{"tokens.txt": "\n".join(toks + [toks[0].split()[0] + "x " + toks[3].split()[1]]) + "\n"})
    model_dir(d + "tokens-gap", **{"tokens.txt": "\n".join(toks[:5] + [t.split()[0] + " " + str(int(t.split()[1]) + 7) for t in toks[5:]]) + "\n"})
    model_dir(d + "tokens-empty-lines", **{"tokens.txt": "\n\n".join(toks) + "\n\n\n"})
    model_dir(d + "tokens-binary", **{"tokens.txt": garbage(2000)})
    model_dir(d + "tokens-empty", **{"tokens.txt": b""})
    model_dir(d + "json-pad-to-2e9", **{"model.json": spec(pad_to=2000000000)})
    model_dir(d + "json-n-mels-100000", **{"model.json": spec(n_mels=100000)})
    model_dir(d + "json-blank-id-minus-1", **{"model.json": spec(blank_id=-1)})
    model_dir(d + "json-blank-id-1e6", **{"model.json": spec(blank_id=1000000)})
    model_dir(d + "json-lm-weight-minus-5", **{"model.json": spec(decoding={"lm_weight": -5, "word_bonus": 1})})
    model_dir(d + "json-sample-rate-0x7fffffff", **{"model.json": spec(sample_rate=0x7FFFFFFF)})
    model_dir(d + "json-invalid", **{"model.json": T["model.json"].decode()[:-20]})
    model_dir(d + "json-n-mels-string", **{"model.json": spec(n_mels="80")})
    model_dir(d + "onnx-garbage", **{"model.onnx": garbage(5000)})
    model_dir(d + "onnx-empty", **{"model.onnx": b""})
    model_dir(d + "onnx-is-wav", **{"model.onnx": hello})
    model_dir(d + "onnx-truncated", **{"model.onnx": T["model.onnx"][: len(T["model.onnx"]) // 2]})
    model_dir(d + "link-outside")
    os.symlink(os.path.join(REPO, "README.md"), os.path.join(OUT, d + "link-outside/README.md"))
    model_dir(d + "link-inside")
    os.symlink("tokens.txt", os.path.join(OUT, d + "link-inside/vocab.txt"))
    model_dir(d + "link-dangling")
    os.symlink("does-not-exist", os.path.join(OUT, d + "link-dangling/gone"))
    model_dir(d + "sparse-3GiB")
    with open(os.path.join(OUT, d + "sparse-3GiB/padding.bin"), "wb") as f:
        f.truncate(3 << 30)


# ----------------------------------------------------------------------------------- text

LM = os.path.join(REPO, "models/default/lm.bin")


def text():
    t = "text/"
    with open(LM, "rb") as f:
        lm = f.read()
    put(t + "lm-garbage.bin", garbage(100000))
    put(t + "lm-empty.bin", b"")
    for n in (4, 16, 64, 4096, 1000000, len(lm) - 1):
        put(t + f"lm-head-{n}.bin", lm[:n])
    put(t + "lm-gzip-garbage.arpa.gz", b"\x1f\x8b" + garbage(1000))
    arpa = "\\data\\\nngram 1=3\nngram 2=1\n\n\\1-grams:\n-1.0\t<s>\t-0.5\n-1.0\t</s>\n-0.5\thello\t-0.3\n\n\\2-grams:\n-0.2\t<s> hello\n\n\\end\\\n"
    put(t + "ok.arpa", arpa, "w")
    put(t + "arpa-bad-line.arpa", arpa.replace("-0.5\thello", "minus-half\thello"), "w")
    put(t + "arpa-count-lie.arpa", arpa.replace("ngram 1=3", "ngram 1=3000000000"), "w")
    put(t + "arpa-nan.arpa", arpa.replace("-0.5\thello", "nan\thello"), "w")
    put(t + "hotwords-garbage.txt", garbage(3000))
    put(t + "hotwords-huge-line.txt", "hello" * 200000 + "\n", "w")
    put(t + "hotwords-nan.txt", "hello:NaN\n", "w")
    put(t + "hotwords-inf.txt", "hello:+Inf\n", "w")
    put(t + "hotwords-100k.txt", "".join(f"w{k} hello world:{k % 7}\n" for k in range(100000)), "w")
    put(t + "repl-cycle.txt", "hello => world\nworld => hello\n", "w")
    put(t + "repl-doubling.txt", "".join(f"w{k} => w{k + 1} w{k + 1}\n" for k in range(40)) + "hello => w0\n", "w")
    put(t + "repl-chain-100k.txt", "hello => c0\n" + "".join(f"c{k} => c{k + 1}\n" for k in range(100000)), "w")
    put(t + "repl-non-utf8.txt", b"hel\xfflo => w\xc3\x28orld\n")
    put(t + "repl-empty-lhs.txt", " => boom\n", "w")
    put(t + "corpus-ok.txt", "hello world\nthe quick brown fox\n" * 50, "w")
    put(t + "corpus-digits.txt", "room \uff13 and \u0663 and \u0967\u0968 and 42\n" * 20, "w")
    put(t + "corpus-garbage.txt", garbage(20000))
    put(t + "corpus-one-huge-line.txt", ("word " * 400000) + "\n", "w")
    put(t + "corpus-gzip-truncated.txt.gz", gzip.compress(("hello world\n" * 1000).encode())[:60])
    hello_rel = os.path.relpath(HELLO, os.path.join(OUT, t))
    put(t + "manifest-no-tab.tsv", "hello.wav hello world\n", "w")
    put(t + "manifest-missing-audio.tsv", "nope/missing.wav\thello world\n", "w")
    put(t + "manifest-empty.tsv", "", "w")
    put(t + "manifest-binary.tsv", garbage(2000))
    put(t + "manifest-garbage-audio.tsv", os.path.relpath(os.path.join(OUT, "audio/text.wav"), os.path.join(OUT, t)) + "\thello\n", "w")
    put(t + "manifest-ok.tsv", hello_rel + "\thello world\n", "w")
    # 48 utterances whose paths are 2 kB long (./././...): over 64 KiB of hypotheses, more
    # than a pipe holds.
    put(t + "manifest-long-paths.tsv", ("./" * 1000 + hello_rel + "\thello world\n") * 48, "w")


def models():
    shutil.copytree(TONES, os.path.join(OUT, "models/tones"))


audio()
imports()
text()
models()
