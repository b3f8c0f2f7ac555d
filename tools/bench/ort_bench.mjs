// Times an ONNX model in ONNX Runtime's CPU execution provider (npm onnxruntime-node);
// prints one JSON line. Usage:
//   node ort_bench.mjs --model M.onnx [--size 256x256] [--runs 5] [--warmup 2]
//                      [--threads 2] [--gflop G]
// onnxruntime-node is resolved from NODE_PATH (run_benchmarks.sh sets it). See README.md.
import { createRequire } from 'node:module';
import path from 'node:path';

const opts = { size: '256x256', runs: '5', warmup: '2', threads: '2' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
    console.error(`ort_bench: bad argument "${argv[i]}" (options take a value: --model M.onnx --size WxH ...)`);
    process.exit(2);
  }
  opts[argv[i].slice(2)] = argv[i + 1];
}
if (!opts.model) {
  console.error('ort_bench: --model M.onnx is required');
  process.exit(2);
}

// Resolve onnxruntime-node from NODE_PATH as well as from next to this script.
const require = createRequire(path.join(process.cwd(), 'noop.js'));
let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  console.error('ort_bench: cannot load onnxruntime-node (' + e.message.split('\n')[0] + ').\n' +
    '  Install it outside the repo: npm install --ignore-scripts --prefix ~/.cache/stylize-bench onnxruntime-node\n' +
    '  and run with NODE_PATH=~/.cache/stylize-bench/node_modules');
  process.exit(1);
}

const [width, height] = opts.size.toLowerCase().split('x').map(Number);
const runs = Number(opts.runs), warmup = Number(opts.warmup), threads = Number(opts.threads);
const session = await ort.InferenceSession.create(opts.model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const data = new Float32Array(3 * width * height);
let seed = 1;
for (let i = 0; i < data.length; ++i) {  // deterministic 0..255 noise
  seed = (seed * 1103515245 + 12345) >>> 0;
  data[i] = (seed >>> 8) % 256;
}
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, height, width]) };

const times = [];
for (let i = 0; i < warmup + runs; ++i) {
  const start = process.hrtime.bigint();
  const out = await session.run(feeds);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  for (const t of Object.values(out)) t.dispose?.();
  if (i >= warmup) times.push(ms);
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]
  : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
const gflop = opts.gflop ? Number(opts.gflop) : null;
console.log(JSON.stringify({
  engine: 'onnxruntime-node-cpu', version: ort.env.versions?.node ?? null, precision: 'fp32', threads,
  width, height, runs, median_ms: +median.toFixed(3), min_ms: +sorted[0].toFixed(3), gflop,
  gflops: gflop ? +(gflop / (median * 1e-3)).toFixed(3) : null,
}));
