// The committed BCCD models name their classes (ultralytics labels predictions by the `names` metadata), and
// the tool that stamped them changes nothing but that one metadata entry.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeModel, encodeModel, metadataValue } from '../../core/onnx';
import { buildYoloV8, pythonNamesDict, yolov8Spec } from '../../core/yolo';
import { modelMetadata } from '../../runtime/model-metadata';
import { repoRoot } from '../../runtime/paths';
import { assertOnlyNamesChanged, restampNames, topLevelFields } from '../../tools/restamp-names';

// Both were trained on BCCD's VOC layout, whose class order is the sorted names (docs/TRAINING.md).
const BCCD_ORDER = ['Platelets', 'RBC', 'WBC'];

for (const file of ['yolov8n-bccd.onnx', 'yolov8n-tiny-bccd.onnx']) {
  test(`models/${file} names its classes in the order it was trained in`, () => {
    assert.deepEqual(modelMetadata(path.join(repoRoot, 'models', file)).names, BCCD_ORDER);
  });
}

test('models/yolov8n-hardhat.onnx: Hard Hat Workers classes in data.yaml order, 320 px, the file TRAINING.md documents', () => {
  const file = path.join(repoRoot, 'models', 'yolov8n-hardhat.onnx');
  const meta = modelMetadata(file);
  assert.deepEqual(meta.names, ['head', 'helmet', 'person']);
  assert.equal(meta.imgsz, 320);
  const doc = readFileSync(path.join(repoRoot, 'docs', 'TRAINING.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## The Hard Hat base model'));
  const sha = /sha256 `([0-9a-f]{8})…([0-9a-f]{7})`/.exec(section);
  assert.ok(sha, 'TRAINING.md states the sha256 of models/yolov8n-hardhat.onnx in its Hard Hat section');
  const actual = createHash('sha256').update(readFileSync(file)).digest('hex');
  assert.ok(actual.startsWith(sha[1]!) && actual.endsWith(sha[2]!), `models/yolov8n-hardhat.onnx is ${actual}`);
});

test('restamping rewrites only the names entry: graph, weights and every other field stay byte-identical', () => {
  const built = encodeModel(buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }), { seed: 1 }));
  const stamped = restampNames(built, BCCD_ORDER);
  assert.equal(metadataValue(decodeModel(stamped), 'names'), pythonNamesDict(BCCD_ORDER));
  const graph = (b: Uint8Array) => topLevelFields(b).find((f) => f.field === 7)!.bytes;
  assert.equal(Buffer.compare(graph(stamped), graph(built)), 0, 'the graph (all weights) is byte-identical');
  const keys = (b: Uint8Array) => decodeModel(b).metadataProps.map((p) => p.key);
  assert.deepEqual(keys(stamped), keys(built), 'the entry is replaced in place');
  assert.deepEqual(restampNames(stamped, BCCD_ORDER), stamped, 'restamping is idempotent');

  // A model without names gets the entry; a change to any other byte is refused.
  const bare = decodeModel(built);
  const unnamed = encodeModel({ ...bare, metadataProps: bare.metadataProps.filter((p) => p.key !== 'names') });
  assert.equal(metadataValue(decodeModel(restampNames(unnamed, ['a'])), 'names'), "{0: 'a'}");
  const tampered = Uint8Array.from(stamped);
  const mid = tampered.length >> 1; // a weight byte, in the middle of the graph
  tampered[mid] = tampered[mid]! ^ 1;
  assert.throws(() => assertOnlyNamesChanged(stamped, tampered), /changed more than the names/);
});

test('the committed base model file is the one documented in docs/TRAINING.md', () => {
  const doc = readFileSync(path.join(repoRoot, 'docs', 'TRAINING.md'), 'utf8');
  const sha = /sha256 `([0-9a-f]{8})…([0-9a-f]{7})`/.exec(doc);
  assert.ok(sha, 'TRAINING.md states the sha256 of models/yolov8n-bccd.onnx');
  const actual = createHash('sha256')
    .update(readFileSync(path.join(repoRoot, 'models', 'yolov8n-bccd.onnx')))
    .digest('hex');
  assert.ok(actual.startsWith(sha[1]!) && actual.endsWith(sha[2]!), `models/yolov8n-bccd.onnx is ${actual}`);
});
