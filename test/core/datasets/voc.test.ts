import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetError, parseSplitList, parseVocXml, validateDataset } from '../../../core/datasets';
import { billionLaughsXml, xxeXml } from '../../support/hostile-voc';
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

const invalidLabel = (mentions: RegExp) => (e: unknown) =>
  e instanceof DatasetError &&
  e.code === 'DATASET_LABEL_INVALID' &&
  e.file === 'Annotations/a.xml' &&
  mentions.test(e.message) &&
  !e.message.includes('\n');

test('XXE and billion-laughs annotations are DATASET_LABEL_INVALID naming the file, never parsed', () => {
  assert.throws(() => parseVocXml(xxeXml(), opts), invalidLabel(/DTD or entity declarations/));
  assert.throws(() => parseVocXml(billionLaughsXml(), opts), invalidLabel(/DTD or entity declarations/));
  const internal = vocXml([{ name: '&x;', box: [1, 1, 5, 5] }]);
  assert.throws(
    () => parseVocXml(`<!DOCTYPE annotation [<!ENTITY x "RBC">]>${internal}`, opts),
    invalidLabel(/DTD/),
  );
});

test('any exception of the XML parser is a DATASET_LABEL_INVALID, not a raw Error', () => {
  // fast-xml-parser throws a plain Error past its nesting limit.
  const deep = `<annotation>${'<a>'.repeat(1000)}x${'</a>'.repeat(1000)}</annotation>`;
  assert.throws(() => parseVocXml(deep, opts), invalidLabel(/cannot parse the XML: Maximum nested tags/));
});

test('class names with markup, control characters or over 128 characters make the file invalid', () => {
  const named = (name: string) => vocXml([{ name, box: [1, 1, 5, 5] }]);
  assert.throws(
    () => parseVocXml(named('&lol9;'), opts),
    invalidLabel(/object 1: class name '&lol9;'.*markup/),
  );
  assert.throws(() => parseVocXml(named('a &lt;b&gt;'), opts), invalidLabel(/'a <b>'.*markup/));
  assert.throws(
    () => parseVocXml(named('RBC\u0007\u001b[2J'), opts),
    invalidLabel(/RBC\\u0007\\u001b\[2J'.*control/),
  );
  assert.throws(() => parseVocXml(named('x'.repeat(129)), opts), invalidLabel(/longer than 128/));
  const ok = parseVocXml(named('Red blood cell (RBC) · 赤血球'), opts);
  assert.equal(ok.objects[0]!.className, 'Red blood cell (RBC) · 赤血球');
  assert.equal(parseVocXml(named('x'.repeat(128)), opts).objects.length, 1);
});
