// Runs sherpa-onnx (npm sherpa-onnx-node) on a Hark model directory, for scripts/peer-sherpa.sh.
//   node peer-sherpa.js [--runs R] [--info] MODEL_DIR FILE...
//   node peer-sherpa.js --compare HARK.tsv SHERPA.tsv
// Loads MODEL_DIR/model.onnx and tokens.txt as a NeMo CTC model (1 thread, greedy search,
// 16 kHz, 80 features) and prints one JSON line per file: file, text, duration_s, sample_rate, and with
// --runs R > 0 also decode_s, the mean wall time of R timed decodes (read WAV, features,
// model, search) after one untimed warm-up decode of the same file, as `hark bench` does.
// --info first prints one JSON line with the versions. SHERPA_DEBUG=1 makes sherpa-onnx log
// its config and the model metadata it read (normalize_type among them) to stderr.
// sherpa-onnx's NeMo CTC front end (offline-recognizer-ctc-impl.h) sets librosa-style mel
// filters over 0 Hz..Nyquist, a Hann window and no DC removal, and applies the per-feature
// normalisation named by the model's "normalize_type" metadata ("" = none).
'use strict';

const fs = require('fs');
const path = require('path');

if (process.argv[2] === '--compare') {
  compare(process.argv[3], process.argv[4]);
  process.exit(0);
}
const sherpa = require('sherpa-onnx-node');

let runs = 0;
let info = false;
const args = process.argv.slice(2);
while (args.length && args[0].startsWith('--')) {
  const a = args.shift();
  if (a === '--runs') runs = parseInt(args.shift(), 10);
  else if (a === '--info') info = true;
  else throw new Error(`peer-sherpa.js: unknown flag ${a}`);
}
if (args.length < 2 || !(runs >= 0)) {
  throw new Error('usage: node peer-sherpa.js [--runs R] [--info] MODEL_DIR FILE...');
}
const dir = args.shift();

const config = {
  featConfig: {sampleRate: 16000, featureDim: 80},
  modelConfig: {
    nemoCtc: {model: path.join(dir, 'model.onnx')},
    tokens: path.join(dir, 'tokens.txt'),
    numThreads: 1,
    provider: 'cpu',
    debug: process.env.SHERPA_DEBUG ? 1 : 0,
  },
  decodingMethod: 'greedy_search',
};
const recognizer = new sherpa.OfflineRecognizer(config);

if (info) {
  console.log(JSON.stringify({
    version: sherpa.version,
    git: sherpa.gitSha1,
    onnxruntime: sherpa.onnxruntimeVersion,
  }));
}

function decode(file) {
  const wave = sherpa.readWave(file);
  const stream = recognizer.createStream();
  stream.acceptWaveform({samples: wave.samples, sampleRate: wave.sampleRate});
  recognizer.decode(stream);
  const r = recognizer.getResult(stream);
  return {
    text: r.text,
    duration_s: wave.samples.length / wave.sampleRate,
    sample_rate: wave.sampleRate,
  };
}

for (const file of args) {
  let r;
  const out = {file};
  if (runs > 0) {
    decode(file);  // warm-up
    let total = 0n;
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      r = decode(file);
      total += process.hrtime.bigint() - t0;
    }
    out.decode_s = Number(total) / 1e9 / runs;
  } else {
    r = decode(file);
  }
  out.text = r.text.trim();
  out.duration_s = r.duration_s;
  out.sample_rate = r.sample_rate;
  console.log(JSON.stringify(out));
}

// compare prints, file by file, whether the greedy texts in two TSV files (file, duration_s,
// text, ... per line, in the same order) agree, with words lower-cased and spaces collapsed,
// and the character edit distance; then the totals and both texts of the first difference.
function compare(harkTsv, sherpaTsv) {
  const read = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l).map((l) => l.split('\t'));
  const norm = (s) => (s || '').toLowerCase().replace(/\s+/g, ' ').trim();
  const edits = (a, b) => {
    let p = Array.from({length: b.length + 1}, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const q = [i];
      for (let j = 1; j <= b.length; j++) {
        q[j] = Math.min(p[j] + 1, q[j - 1] + 1, p[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      p = q;
    }
    return p[b.length];
  };
  const h = read(harkTsv);
  const s = read(sherpaTsv);
  let same = 0;
  let total = 0;
  let chars = 0;
  let first = null;
  h.forEach(([file, , text], i) => {
    const a = norm(text);
    const b = norm(s[i] && s[i][2]);
    const d = edits(a, b);
    total += d;
    chars += a.length;
    if (d === 0) same++;
    else if (!first) first = {file, a, b};
    console.log(`  ${d === 0 ? 'same' : 'DIFF'} ${String(d).padStart(3)} char edits  ${file}`);
  });
  console.log(`greedy texts agree on ${same}/${h.length} files (${total} char edits over ${chars} chars, ` +
              `${(100 * total / Math.max(chars, 1)).toFixed(1)}%)`);
  if (first) console.log(`first difference, ${first.file}:\n  hark:   ${first.a}\n  sherpa: ${first.b}`);
}
