#!/bin/bash
# Quick local checks of the recipe (about a minute on 2 cores; needs torch, numpy,
# scipy, onnx, espeak-ng/flite for the synthesis step):
#   features torch vs numpy, model padding independence, 12 s of synthesis,
#   train 20 steps + resume 20 steps (tiny model), export + INT8, numpy ONNX check.
# Usage: bash models/train/selftest.sh     (env PYTHON, DATA)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${PYTHON:-}" ]; then
  for p in python3 /usr/bin/python3; do
    if $p -c "import numpy, scipy, torch, onnx" 2>/dev/null; then PYTHON=$p; break; fi
  done
fi
PY=${PYTHON:-python3}
DATA=$(cd "${DATA:-../shared/data}" && pwd)
T=$(mktemp -d /tmp/hark_selftest.XXXXXX)
trap 'rm -rf "$T"' EXIT
$PY models/train/features.py --selftest
[ -f testdata/features/golden.bin ] && $PY models/train/features.py --golden testdata/features/golden.bin
$PY models/train/model.py
$PY models/train/synth.py --data "$DATA" --out "$T/tts" --count 30 --workers 2 --time-limit 12
$PY - "$DATA" "$T" <<'EOF'
import sys
sys.path.insert(0, "models/train")
import common
data, t = sys.argv[1], sys.argv[2]
common.write_manifest(t + "/fsdd.tsv", common.fsdd_rows(data, "train")[::20])
common.write_manifest(t + "/dev.tsv", common.fsdd_rows(data, "dev")[:20])
EOF
ARGS=(--train "fsdd=$T/fsdd.tsv" --train "tts=$T/tts/manifest.tsv" --dev "fsdd=$T/dev.tsv" --small
      --batch-seconds 20 --warmup 5 --max-steps 20 --minutes 2 --ckpt "$T/ck.pt" --loader-threads 1 --log-every 10)
$PY models/train/train.py "${ARGS[@]}"
$PY models/train/train.py "${ARGS[@]}" --resume "$T/ck.pt" --metrics "$T/m.json"
$PY -c "import json; m = json.load(open('$T/m.json')); assert m['step'] == 40, m['step']; print('resume OK: step', m['step'])"
$PY models/train/export.py --ckpt "$T/ck.pt" --out "$T/export" --float 2>&1 | grep -v -i warn
$PY models/train/onnx_ref.py --ckpt "$T/ck.pt" --onnx "$T/export/model.float.onnx" --onnx "$T/export/model.onnx"
echo "selftest OK"
