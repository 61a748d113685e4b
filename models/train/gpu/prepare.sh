#!/bin/bash
# Stage what the GPU run needs into .gpu/ (git-ignored) at the repo root:
#   .gpu/prefix.tar.xz      espeak-ng, flite, SVOX Pico (when apt has it) and libopusfile with their libraries, unpacked
#                           here from the Debian .debs with dpkg -x and pruned, plus a stub
#                           libpcaudio.so.0 (no ALSA/PulseAudio needed)
#   .gpu/prompts.txt.xz     TTS prompts
#   .gpu/data/*/            real speech re-encoded as Ogg Opus + manifests
#                           (real, fsdd, dev_real, dev_fsdd, dev_tts = festival dev set)
#   .gpu/onnxcheck/         a tiny model exported here (torch 1.13) for onnxruntime checks there
# The training code itself travels with the working tree (models/train/).
# Usage: bash models/train/gpu/prepare.sh      (env: PYTHON, DATA, BITRATE, FSDD_BITRATE, FESTIVAL_COUNT)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
cd "$REPO"
DATA=${DATA:-../shared/data}
G=.gpu
BITRATE=${BITRATE:-11}
FSDD_BITRATE=${FSDD_BITRATE:-8}
FESTIVAL_COUNT=${FESTIVAL_COUNT:-60}
if [ -z "${PYTHON:-}" ]; then
  for p in python3 /usr/bin/python3; do
    if $p -c "import numpy, scipy, torch, onnx" 2>/dev/null; then PYTHON=$p; break; fi
  done
fi
PYTHON=${PYTHON:-python3}
echo "prepare: python $PYTHON, data $DATA"
mkdir -p "$G/data"
grep -qx '.gpu/' .git/info/exclude 2>/dev/null || { mkdir -p .git/info; echo ".gpu/" >> .git/info/exclude; }

# 1. tools: Debian 12 amd64 packages, unpacked here with dpkg -x (never installed),
#    pruned (English espeak-ng data only, no docs) and packed as .gpu/prefix.tar.xz;
#    the whole travelling tree must stay under 64 MiB, so the .debs themselves stay here
DEBS="espeak-ng espeak-ng-data libespeak-ng1 libsonic0 flite libflite1 libasound2 libogg0 libopus0 libopusfile0"
B=models/train/cache/gpu_build
rm -rf "$B" "$G/debs" "$G/libpcaudio.so.0" "$G/init.pt"
mkdir -p "$B/debs" "$B/prefix"
(cd "$B/debs" && apt-get download $DEBS 2>&1 | grep -v -e '^W: Download is performed unsandboxed' -e '^Get:' || true)
n=$(ls "$B"/debs/*.deb | wc -l)
[ "$n" -ge 10 ] || { echo "prepare: apt-get download got $n of 10 debs" >&2; exit 1; }
for d in "$B"/debs/*.deb; do dpkg -x "$d" "$B/prefix"; done
L="$B/prefix/usr/lib/x86_64-linux-gnu"
# 2. pcaudio stub (libespeak-ng imports audio_object_* / create_audio_device_object)
gcc -shared -fPIC -O2 -Wall -Wl,-soname,libpcaudio.so.0 -o "$L/libpcaudio.so.0" "$HERE/pcaudio_stub.c"
# flite's talking-clock voice (4.9 MB, unused) replaced by a stub that only registers its
# name: same audio from every other voice, ~2 MB less to carry
gcc -shared -fPIC -O2 -Wall -Wl,-soname,libflite_cmu_time_awb.so.1 -o "$L/libflite_cmu_time_awb.so.2.2" "$HERE/flite_time_stub.c"
rm -f "$B"/prefix/usr/bin/speak-ng "$B"/prefix/usr/bin/flite_* "$B"/prefix/usr/bin/t2p
for f in "$L"/espeak-ng-data/*_dict; do [ "$(basename "$f")" = en_dict ] || rm -f "$f"; done
# SVOX Pico (Debian non-free; optional): pico2wave reads its voices from a directory compiled
# into the binary, /usr/share/pico/lang/; that string is patched to /tmp/hark-pico/lang/ (the
# same length or shorter, NUL-padded), which run.sh links to the unpacked English voices.
PICO_DEBS="libttspico0 libttspico-data libttspico-utils libpopt0"
mkdir -p "$B/pico"
if (cd "$B/pico" && apt-get download $PICO_DEBS >/dev/null 2>&1); then
  for d in "$B"/pico/*.deb; do dpkg -x "$d" "$B/prefix"; done
  mkdir -p "$B/prefix/pico-lang"
  cp "$B"/prefix/usr/share/pico/lang/en-* "$B/prefix/pico-lang/"
  "$PYTHON" - "$B/prefix/usr/bin/pico2wave" <<'PYEOF'
import sys
p = sys.argv[1]
b = open(p, "rb").read()
old, new = b"/usr/share/pico/lang/\0", b"/tmp/hark-pico/lang/\0"
assert b.count(old) == 1, "pico2wave: voice path not found once"
open(p, "wb").write(b.replace(old, new.ljust(len(old), b"\0")))
PYEOF
  echo "prepare: SVOX Pico staged ($(ls "$B/prefix/pico-lang" | wc -l) English voice files)"
else
  echo "prepare: SVOX Pico not available here (Debian non-free not enabled): the GPU run synthesises without it"
fi
rm -rf "$B/prefix/usr/share"
tar -C "$B/prefix" -cJf "$G/prefix.tar.xz" .
echo "prepare: tools prefix $(du -h --apparent-size "$G/prefix.tar.xz" | cut -f1) (from $n debs)"
for b in espeak-ng flite pico2wave; do
  [ -f "$B/prefix/usr/bin/$b" ] || continue
  if LD_LIBRARY_PATH="$L" ldd "$B/prefix/usr/bin/$b" | grep -q "not found"; then echo "prepare: WARNING $b has missing libraries"; fi
done

# 3. prompts
xz -9 -c "$DATA/text/tts-prompts.txt" > "$G/prompts.txt.xz"
rm -f "$G/prompts.txt"

# 4. real speech and digits as Opus (cached per file; the first run takes ~5 min on 2 cores)
if [ "$(cat "$G/data/BITRATE" 2>/dev/null)" != "$BITRATE/$FSDD_BITRATE" ]; then rm -rf "$G/data"; mkdir -p "$G/data"; fi
"$PYTHON" models/train/prepdata.py --data "$DATA" --out "$G/data" --format opus --bitrate "$BITRATE" \
    --fsdd-bitrate "$FSDD_BITRATE"
echo "$BITRATE/$FSDD_BITRATE" > "$G/data/BITRATE"

# 5. festival dev set (held-out TTS family), synthesised here
if command -v text2wave >/dev/null; then
  "$PYTHON" models/train/synth.py --data "$DATA" --festival --count "$FESTIVAL_COUNT" \
      --out models/train/cache/dev_tts_festival || echo "prepare: festival dev set failed"
  "$PYTHON" - <<EOF || echo "prepare: festival dev set not staged"
import sys
sys.path.insert(0, "models/train")
import common, prepdata
rows, _ = common.read_manifest("models/train/cache/dev_tts_festival/manifest.tsv")
n = prepdata.build(rows, "$G/data/dev_tts", "opus", $BITRATE, 2) if rows else 0
print("prepare: dev_tts (festival) %d clips" % n)
EOF
else
  echo "prepare: festival (text2wave) not installed: no TTS dev set"
fi

# 6. a committed models/train/checkpoints/latest.pt travels with the working tree
#    and run.sh resumes it; nothing to stage
[ -f models/train/checkpoints/latest.pt ] && echo "prepare: the GPU run will resume models/train/checkpoints/latest.pt" \
  || echo "prepare: no checkpoint yet (the GPU run starts from scratch)"

# 7. tiny exported model: onnxruntime there checks this machine's exporter + INT8 quantiser
mkdir -p "$G/onnxcheck"
"$PYTHON" - <<'EOF'
import sys, torch
sys.path.insert(0, "models/train")
from model import HarkCTC, save_checkpoint
torch.manual_seed(0)
m = HarkCTC(d_model=64, n_layers=2, ff_dim=128, sub_channels=32)
m.set_normaliser(torch.full((80,), -8.0), torch.full((80,), 3.0))
save_checkpoint(".gpu/onnxcheck/small.pt", m, 0)
EOF
"$PYTHON" models/train/export.py --ckpt "$G/onnxcheck/small.pt" --out "$G/onnxcheck" 2>&1 | grep -v -i warn || true
rm -rf "$G/data"/*/audio/*.part
echo "prepare: staged:"
du -sh --apparent-size "$G"/* | sed 's/^/  /'
gpu=$(du -sb --apparent-size "$G" | cut -f1)
tree=$(git ls-files -co --exclude-standard -z | xargs -0 du -cb --apparent-size 2>/dev/null | tail -1 | cut -f1)
echo "prepare: .gpu $((gpu / 1048576)) MiB in $(find "$G" -type f | wc -l) files + working tree $((tree / 1048576)) MiB = $(((gpu + tree) / 1048576)) MiB travelling (limit 64 MiB)"
if [ $((gpu + tree)) -gt $((63 * 1048576)) ]; then
  echo "prepare: WARNING: too close to / over the 64 MiB limit; rerun with a lower BITRATE (e.g. BITRATE=10; re-encoding takes ~5 min)" >&2
fi
