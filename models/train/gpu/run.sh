#!/bin/bash
# One-shot GPU run (from the repo root, with .gpu/ staged by prepare.sh):
#   OUT=/some/dir bash models/train/gpu/run.sh [--total-seconds 540] [--synth-seconds S]
#        [--synth-workers N] [--batch-seconds 1000] [--device cuda|cpu] [--prompts-limit N] [--no-export]
#        [--from-scratch] [-- train.py options]
# Plans every stage from its start time so the whole command ends within
# --total-seconds: unpack the staged tools (.gpu/prefix.tar.xz, made by prepare.sh
# from the Debian .debs with dpkg -x; loose .gpu/debs/*.deb also work) into a
# private prefix (never into /),
# smoke-test espeak-ng / flite / libopusfile, synthesise TTS speech in the
# background (train.py picks clips up as they appear) while training on real
# speech + digits + TTS, save the checkpoint to $OUT every minute, finish with
# greedy dev metrics, then check ONNX export with onnxruntime.
# $OUT: latest.pt (fp16), train.log (everything), metrics.json, onnx_check.json, model.onnx.
# Every stage is defensive: a failing tool only removes its data.
set -u
T0=$(date +%s)
TOTAL=540
SYNTH_SECONDS=""
SYNTH_WORKERS=""
BATCH=1000
DEVICE=""
PROMPTS_LIMIT=0
EXPORT=1
SCRATCH=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --total-seconds) TOTAL=$2; shift 2;;
    --synth-seconds) SYNTH_SECONDS=$2; shift 2;;
    --synth-workers) SYNTH_WORKERS=$2; shift 2;;
    --batch-seconds) BATCH=$2; shift 2;;
    --device) DEVICE=$2; shift 2;;
    --prompts-limit) PROMPTS_LIMIT=$2; shift 2;;
    --no-export) EXPORT=0; shift;;
    --from-scratch) SCRATCH=1; shift;;
    --) shift; EXTRA=("$@"); break;;
    *) echo "run.sh: unknown option $1"; exit 2;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
cd "$REPO"
OUT=${OUT:-/tmp/hark_out}
WORK=${WORK:-$(mktemp -d /tmp/hark_work.XXXXXX)}
G=$REPO/.gpu
mkdir -p "$OUT" "$WORK"
exec > >(tee -a "$OUT/train.log") 2>&1
export PYTHONUNBUFFERED=1
PY=${PYTHON:-python3}
left() { echo $(( TOTAL - ($(date +%s) - T0) )); }
say() { echo "[run.sh +$(( $(date +%s) - T0 ))s] $*"; }
say "start: total ${TOTAL}s, OUT=$OUT WORK=$WORK, $(nproc) cores, $(uname -m)"
$PY -c "import torch, numpy, scipy; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')" || say "python check failed"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total --format=csv,noheader

# ---------------------------------------------------------------- 1. tools from the staged debs
PREFIX=$WORK/prefix
LIBS=$PREFIX/usr/lib/x86_64-linux-gnu
mkdir -p "$PREFIX" "$WORK/bin"
if [ -f "$G/prefix.tar.xz" ]; then
  tar -xJf "$G/prefix.tar.xz" -C "$PREFIX" 2>/dev/null || $PY -c "
import sys, tarfile
tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$G/prefix.tar.xz" "$PREFIX" || say "could not unpack the tools prefix"
fi
for d in "$G"/debs/*.deb; do
  [ -f "$d" ] || continue
  if command -v dpkg >/dev/null; then
    dpkg -x "$d" "$PREFIX" || say "dpkg -x failed: $d"
  else
    $PY - "$d" "$PREFIX" <<'EOF' || say "python unpack failed: $d"
import io, sys, tarfile
deb, dest = sys.argv[1], sys.argv[2]
data = open(deb, "rb").read()
assert data[:8] == b"!<arch>\n"
pos = 8
while pos < len(data):
    name = data[pos:pos + 16].decode().strip().rstrip("/")
    size = int(data[pos + 48:pos + 58].decode().strip())
    body = data[pos + 60:pos + 60 + size]
    if name.startswith("data.tar"):
        if name.endswith(".zst"):
            raise SystemExit("zstd data not supported")
        with tarfile.open(fileobj=io.BytesIO(body)) as t:
            t.extractall(dest)
    pos += 60 + size + (size & 1)
EOF
  fi
done
[ -f "$G/libpcaudio.so.0" ] && cp "$G/libpcaudio.so.0" "$LIBS/"
[ -f "$LIBS/libpcaudio.so.0" ] || say "no pcaudio stub"
ENGINES=espeak,flite
if [ -f "$PREFIX/usr/bin/pico2wave" ] && [ -d "$PREFIX/pico-lang" ]; then
  # the patched pico2wave looks for its voices in /tmp/hark-pico/lang/ (prepare.sh)
  mkdir -p /tmp/hark-pico && ln -sfn "$PREFIX/pico-lang" /tmp/hark-pico/lang && ENGINES=espeak,flite,pico
fi
for tool in espeak-ng flite pico2wave; do
  [ -f "$PREFIX/usr/bin/$tool" ] || continue
  cat > "$WORK/bin/$tool" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$LIBS\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" ESPEAK_DATA_PATH="$LIBS" exec "$PREFIX/usr/bin/$tool" "\$@"
EOF
  chmod +x "$WORK/bin/$tool"
done
export PATH="$WORK/bin:$PATH"
export ESPEAK_DATA_PATH="$LIBS"   # synth.py lists espeak-ng variants from here
export HARK_OPUS_LIBDIR="$LIBS"   # common.py loads libopusfile from here (ctypes)
for tool in espeak-ng flite; do
  miss=$(LD_LIBRARY_PATH="$LIBS" ldd "$PREFIX/usr/bin/$tool" 2>&1 | grep "not found")
  [ -n "$miss" ] && say "$tool: missing libraries: $miss"
done
say "espeak-ng: $(espeak-ng --version 2>&1 | head -1)"
say "flite: $(flite --version 2>&1 | head -1)"
espeak-ng -v en-us -w "$WORK/t1.wav" "hello world" 2>&1 | head -3 && say "espeak-ng wav: $(stat -c %s "$WORK/t1.wav" 2>/dev/null) bytes"
flite -voice slt -t "hello world" -o "$WORK/t2.wav" 2>&1 | head -3 && say "flite wav: $(stat -c %s "$WORK/t2.wav" 2>/dev/null) bytes"
if [ "$ENGINES" = espeak,flite,pico ]; then
  pico2wave -l en-US -w "$WORK/t3.wav" "hello world" 2>&1 | head -3
  if [ -s "$WORK/t3.wav" ]; then say "pico wav: $(stat -c %s "$WORK/t3.wav") bytes"; else ENGINES=espeak,flite; say "pico failed: synthesis without it"; fi
fi
$PY -c "
import sys; sys.path.insert(0, 'models/train'); import common
x = common.read_audio_16k('$(head -2 "$G/data/real/manifest.tsv" | tail -1 | cut -f1 | sed "s#^#$G/data/real/#")')
print('opus decode ok: %d samples' % len(x))" || say "OPUS DECODING FAILED: training will lack the staged real speech"

# ---------------------------------------------------------------- 2. synthesis in the background
NCPU=$(nproc)
[ -z "$SYNTH_WORKERS" ] && SYNTH_WORKERS=$(( NCPU > 6 ? NCPU - 4 : (NCPU > 2 ? NCPU - 1 : 1) ))
[ -z "$SYNTH_SECONDS" ] && SYNTH_SECONDS=$(( TOTAL * 55 / 100 ))
PROMPTS="$WORK/prompts.txt"
$PY -c "
import lzma, sys
lim = int(sys.argv[3])
lines = lzma.open(sys.argv[1], 'rt', encoding='utf-8').read().splitlines(True)
open(sys.argv[2], 'w', encoding='utf-8').writelines(lines[:lim] if lim > 0 else lines)" "$G/prompts.txt.xz" "$PROMPTS" "$PROMPTS_LIMIT" \
  || say "no prompts: synthesis will fail, training goes on without TTS"
mkdir -p "$WORK/tts"
say "synthesis: $SYNTH_WORKERS workers for up to ${SYNTH_SECONDS}s (50 h cap), concurrent with training"
timeout -k 5 $(( SYNTH_SECONDS + 20 )) nice -n 5 $PY models/train/synth.py --prompts "$PROMPTS" --out "$WORK/tts" \
    --workers "$SYNTH_WORKERS" --time-limit "$SYNTH_SECONDS" --hours 50 --dev-prompts 300 --engines "$ENGINES" &
SYNTH_PID=$!
sleep 3

# ---------------------------------------------------------------- 3. training
RESERVE=$(( EXPORT ? 45 : 10 ))
TRAIN_SECONDS=$(( $(left) - RESERVE ))
[ "$TRAIN_SECONDS" -lt 30 ] && TRAIN_SECONDS=30
ARGS=(--train "real=$G/data/real/manifest.tsv" --train "fsdd=$G/data/fsdd/manifest.tsv"
      --watch "$WORK/tts/manifest.tsv"
      --dev "real=$G/data/dev_real/manifest.tsv" --dev "fsdd=$G/data/dev_fsdd/manifest.tsv"
      --ckpt "$OUT/latest.pt" --metrics "$OUT/metrics.json" --save-every 60 --eval-every 120
      --batch-seconds "$BATCH" --seconds "$TRAIN_SECONDS")
[ -f "$G/data/dev_tts/manifest.tsv" ] && ARGS+=(--dev "tts_festival=$G/data/dev_tts/manifest.tsv")
if [ "$SCRATCH" = 1 ]; then say "from scratch (no checkpoint resumed)"
elif [ -f "$G/init.pt" ]; then ARGS+=(--resume "$G/init.pt")
elif [ -f models/train/checkpoints/latest.pt ]; then ARGS+=(--resume models/train/checkpoints/latest.pt); fi
[ -n "$DEVICE" ] && ARGS+=(--device "$DEVICE")
say "training for ${TRAIN_SECONDS}s: train.py ${ARGS[*]} ${EXTRA[*]:-}"
$PY models/train/train.py "${ARGS[@]}" "${EXTRA[@]}"
say "train.py exit $?"
if kill -0 $SYNTH_PID 2>/dev/null; then kill $SYNTH_PID 2>/dev/null; fi
wait $SYNTH_PID 2>/dev/null
say "tts: $(( $(wc -l < "$WORK/tts/manifest.tsv" 2>/dev/null || echo 1) - 1 )) clips synthesised"

# ---------------------------------------------------------------- 4. ONNX checks (onnxruntime)
if [ "$EXPORT" = 1 ] && $PY -c "import onnxruntime" 2>/dev/null; then
  timeout 25 $PY models/train/check_onnx.py --ckpt "$G/onnxcheck/small.pt" \
      --onnx "$G/onnxcheck/model.onnx" --json "$OUT/onnx_check.json" || say "onnx check (local export) failed"
  if [ -f "$OUT/latest.pt" ] && [ "$(left)" -gt 20 ]; then
    timeout $(( $(left) - 8 )) sh -c "$PY models/train/export.py --ckpt '$OUT/latest.pt' --out '$WORK/export' --float \
      && $PY models/train/check_onnx.py --ckpt '$OUT/latest.pt' --onnx '$WORK/export/model.float.onnx' \
         --onnx '$WORK/export/model.onnx' --manifest '$G/data/dev_real/manifest.tsv' --n 4 --json '$OUT/onnx_check_trained.json'" \
      2>&1 | grep -v -i "warn" ; cp "$WORK/export/model.onnx" "$OUT/model.onnx" 2>/dev/null || say "no model.onnx from this machine's export"
  fi
fi
say "done; $OUT:"
ls -la "$OUT"
rm -rf "$WORK/tts" "$WORK/prefix" 2>/dev/null
exit 0
