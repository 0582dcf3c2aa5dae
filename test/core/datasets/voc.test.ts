import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetError, parseSplitList, parseVocXml, validateDataset } from '../../../core/datasets';
import { vocXml } from '../../support/tiny-voc';

const opts = { labelFile: 'Annotations/a.xml', imageFile: 'JPEGImages/a.jpg' };

test('parses VOC objects with coordinates as written', () => {
  const raw = parseVocXml(
    vocXml([
      { name: 'RBC', box: [1, 2, 30, 40] },
      { name: 'WBC', box: [5, 6, 7, 8] },
    ]),
    opts,
  );
  assert.equal(raw.width, 640);
  assert.equal(raw.height, 480);
  assert.deepEqual(raw.objects[0], { className: 'RBC', x1: 1, y1: 2, x2: 30, y2: 40 });
  assert.equal(raw.objects.length, 2);
});

test('an annotation without objects is an image without boxes', () => {
  assert.deepEqual(parseVocXml(vocXml([]), opts).objects, []);
});

test('malformed XML and missing fields are DATASET_LABEL_INVALID naming the file and field', () => {
  assert.throws(
    () => parseVocXml('<annotation><size>', opts),
    (e: unknown) =>
      e instanceof DatasetError &&
      e.code === 'DATASET_LABEL_INVALID' &&
      e.message.startsWith('Annotations/a.xml:'),
  );
  const noXmax = vocXml([{ name: 'RBC', box: [1, 2, 3, 4] }]).replace(/<xmax>.*?<\/xmax>/, '');
  assert.throws(
    () => parseVocXml(noXmax, opts),
    (e: unknown) => e instanceof DatasetError && /annotation\.object\.0\.bndbox\.xmax/.test(e.message),
  );
  const noSize = vocXml([]).replace(/<size>.*<\/size>/, '');
  assert.throws(() => parseVocXml(noSize, opts), /annotation\.size/);
  const text = vocXml([{ name: 'RBC', box: [1, 2, 3, 4] }]).replace('<xmin>1</xmin>', '<xmin>abc</xmin>');
  assert.throws(() => parseVocXml(text, opts), /xmin/);
});

test('split lists ignore blank lines and extra columns', () => {
  assert.deepEqual(parseSplitList('a\n\n b  1\r\nc\n'), ['a', 'b', 'c']);
});

test('validation reports degenerate, outside and unknown-class boxes; skip drops and counts, fail throws', () => {
  const raw = parseVocXml(
    vocXml([
      { name: 'RBC', box: [10, 10, 20, 20] },
      { name: 'RBC', box: [504, 337, 504, 337] },
      { name: 'WBC', box: [600, 10, 700, 20] },
      { name: 'Dog', box: [1, 1, 5, 5] },
    ]),
    opts,
  );
  const { dataset, report } = validateDataset([raw], ['RBC', 'WBC'], 'skip');
  assert.equal(dataset.images[0]!.boxes.length, 1);
  assert.equal(report.skippedLabels, 3);
  assert.deepEqual(report.counts, {
    'degenerate-box': 1,
    'outside-image': 1,
    'unknown-class': 1,
    'invalid-label': 0,
    'unreadable-image': 0,
  });
  assert.ok(report.issues.every((i) => i.file === 'Annotations/a.xml'));
  assert.throws(
    () => validateDataset([raw], ['RBC', 'WBC'], 'fail'),
    (e: unknown) =>
      e instanceof DatasetError && e.code === 'DATASET_BOX_DEGENERATE' && e.file === 'Annotations/a.xml',
  );
});
