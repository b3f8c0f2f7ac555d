// Decodes an nsfwjs model folder (model.min.js + *.min.js shards exporting base64 strings)
// into weights.f32 (all tensors, float32 LE), index.json (name, shape, offset) and
// topology.json (the Keras model). Quantised entries are uint8: value = q * scale + min.
'use strict';
const fs = require('fs');
const path = require('path');

const [folder, out] = process.argv.slice(2);
if (!folder || !out) {
  console.error('usage: node nsfwjs_decode.js MODEL_DIR OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });
const model = require(path.resolve(folder, 'model.min.js'));
const groups = model.weightsManifest;
const shards = groups.flatMap((g) => g.paths)
  .map((p) => Buffer.from(require(path.resolve(folder, p + '.min.js')), 'base64'));
const bytes = Buffer.concat(shards);

const index = [];
const parts = [];
let pos = 0;
let floats = 0;
for (const entry of groups.flatMap((g) => g.weights)) {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  const q = entry.quantization;
  if (q && q.dtype === 'uint8') {
    for (let i = 0; i < count; ++i) values[i] = bytes[pos + i] * q.scale + q.min;
    pos += count;
  } else if (!q && entry.dtype === 'float32') {
    for (let i = 0; i < count; ++i) values[i] = bytes.readFloatLE(pos + 4 * i);
    pos += 4 * count;
  } else {
    throw new Error(`${entry.name}: unsupported encoding ${JSON.stringify(q || entry.dtype)}`);
  }
  index.push({ name: entry.name, shape: entry.shape, offset_floats: floats });
  floats += count;
  parts.push(Buffer.from(values.buffer));
}
if (pos !== bytes.length) throw new Error(`decoded ${pos} bytes of ${bytes.length}: the manifest does not match`);
fs.writeFileSync(path.join(out, 'weights.f32'), Buffer.concat(parts));
fs.writeFileSync(path.join(out, 'index.json'), JSON.stringify(index));
fs.writeFileSync(path.join(out, 'topology.json'), JSON.stringify(model.modelTopology));
console.log(`${folder}: ${index.length} tensors, ${floats} floats`);
