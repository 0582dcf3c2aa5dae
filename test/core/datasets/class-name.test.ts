import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetError, parseCocoJson, parseYoloClassNames } from '../../../core/datasets';
import { classNameProblem } from '../../../core/datasets/class-name';

const invalidIn = (file: string, mentions: RegExp) => (e: unknown) =>
  e instanceof DatasetError &&
  e.code === 'DATASET_LABEL_INVALID' &&
  e.file === file &&
  mentions.test(e.message);

test('class names: markup, control characters, empty and over-long names are refused', () => {
  for (const bad of [
    '&lol9;',
    '<b>',
    'a>b',
    'tab\there',
    'nul\0',
    'del\u007f',
    'csi\u009b',
    'ls\u2028',
    ' ',
    'x'.repeat(129),
  ])
    assert.ok(classNameProblem(bad), JSON.stringify(bad));
  for (const good of ['RBC', 'traffic light', "person's bag", 'Ünïcödé 赤血球', '🚗'.repeat(128)])
    assert.equal(classNameProblem(good), undefined, good);
});

test('YOLO data.yaml / classes.txt and COCO categories with bad class names are DATASET_LABEL_INVALID', () => {
  assert.throws(
    () => parseYoloClassNames('names: [RBC, "&lol9;"]\n', 'data.yaml'),
    invalidIn('data.yaml', /class 1: class name '&lol9;'/),
  );
  assert.throws(
    () => parseYoloClassNames('names:\n  0: RBC\n  1: <script>\n', 'data.yaml'),
    invalidIn('data.yaml', /class 1.*markup/),
  );
  assert.throws(
    () => parseYoloClassNames('RBC\nW\u001bBC\n', 'classes.txt'),
    invalidIn('classes.txt', /class 1.*control/),
  );
  const coco = (name: string) =>
    JSON.stringify({ images: [], annotations: [], categories: [{ id: 7, name }] });
  assert.throws(
    () => parseCocoJson(coco('x'.repeat(200)), 'instances_val.json'),
    invalidIn('instances_val.json', /category 7.*longer than 128/),
  );
  assert.deepEqual(parseCocoJson(coco('traffic light'), 'instances_val.json').classNames, ['traffic light']);
});
