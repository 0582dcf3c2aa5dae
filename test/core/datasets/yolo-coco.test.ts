import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DatasetError,
  parseCocoJson,
  parseUltralyticsNames,
  parseYoloClassNames,
  parseYoloTxt,
  validateDataset,
} from '../../../core/datasets';

test('YOLO txt lines become pixel corners of the stated image size', () => {
  const raw = parseYoloTxt('0 0.5 0.5 0.25 0.5\n\n2 0.1 0.2 0.1 0.2\n', {
    labelFile: 'l.txt',
    imageFile: 'i.jpg',
    width: 640,
    height: 480,
  });
  assert.deepEqual(raw.objects[0], { classIndex: 0, x1: 240, y1: 120, x2: 400, y2: 360 });
  assert.equal(raw.objects.length, 2);
});

test('YOLO txt: a box on the border written rounded stays inside the image; one further out does not', () => {
  const o = { labelFile: 'l.txt', imageFile: 'i.jpg', width: 640, height: 480 };
  // BCCD's BloodImage_00001 box [449, 400, 536, 480] as ultralytics' converters write it (6 decimals)
  const [border] = parseYoloTxt('0 0.769531 0.916667 0.135938 0.166667\n', o).objects;
  assert.equal(border!.y2, 480);
  assert.ok(Math.abs(border!.x2 - 536) < 1e-3);
  const [outside] = parseYoloTxt('0 0.5 0.95 0.2 0.2\n', o).objects;
  assert.ok(outside!.y2 > 480, 'a box really outside the image is left for validation to report');
});

test('YOLO txt with bad lines or polygons is DATASET_LABEL_INVALID naming file and line', () => {
  const o = { labelFile: 'labels/test/a.txt', imageFile: 'a.jpg', width: 10, height: 10 };
  assert.throws(() => parseYoloTxt('0 0.5 0.5 x 0.1', o), /labels\/test\/a\.txt: line 1/);
  assert.throws(
    () => parseYoloTxt('0 0.5 0.5\n', o),
    (e: unknown) => e instanceof DatasetError && e.code === 'DATASET_LABEL_INVALID',
  );
  assert.throws(() => parseYoloTxt('1 0.1 0.1 0.2 0.1 0.2 0.2', o), /only box labels/);
});

test('YOLO class names from classes.txt and the three data.yaml forms', () => {
  assert.deepEqual(parseYoloClassNames('a\nb\n', 'classes.txt'), ['a', 'b']);
  assert.deepEqual(parseYoloClassNames('path: x\nnames: [RBC, "WBC", \'Platelets\']\n', 'data.yaml'), [
    'RBC',
    'WBC',
    'Platelets',
  ]);
  assert.deepEqual(parseYoloClassNames('names:\n  0: RBC\n  1: WBC\nnc: 2\n', 'data.yaml'), ['RBC', 'WBC']);
  assert.deepEqual(parseYoloClassNames('names:\n  - RBC\n  - WBC\n', 'data.yaml'), ['RBC', 'WBC']);
  assert.throws(() => parseYoloClassNames('names:\n  1: RBC\n', 'data.yaml'), /out of order/);
});

test('COCO JSON: categories sorted by id, crowd and area kept, unknown categories flagged', () => {
  const coco = parseCocoJson(
    JSON.stringify({
      images: [{ id: 7, file_name: 'a.jpg', width: 100, height: 50 }],
      categories: [
        { id: 5, name: 'b' },
        { id: 2, name: 'a' },
      ],
      annotations: [
        { image_id: 7, category_id: 5, bbox: [1, 2, 3, 4], iscrowd: 1, area: 9 },
        { image_id: 7, category_id: 9, bbox: [1, 2, 3, 4] },
      ],
    }),
    'instances_test.json',
  );
  assert.deepEqual(coco.classNames, ['a', 'b']);
  assert.deepEqual(coco.categoryIds, [2, 5]);
  const { dataset, report } = validateDataset(coco.images, coco.classNames, 'skip');
  assert.equal(dataset.images[0]!.id, 7);
  assert.deepEqual(dataset.images[0]!.boxes, [
    { classId: 1, x1: 1, y1: 2, x2: 4, y2: 6, iscrowd: true, area: 9 },
  ]);
  assert.equal(report.counts['unknown-class'], 1);
  assert.throws(() => parseCocoJson('{"images": []}', 'x.json'), /x\.json: invalid field/);
  assert.throws(() => parseCocoJson('{', 'x.json'), /x\.json: not JSON/);
});

test('ultralytics names metadata is read as a list; anything else is null', () => {
  assert.deepEqual(parseUltralyticsNames("{0: 'RBC', 1: \"W'BC\", 2: 'Plate\\'lets'}"), [
    'RBC',
    "W'BC",
    "Plate'lets",
  ]);
  assert.equal(parseUltralyticsNames('[a, b]'), null);
  assert.equal(parseUltralyticsNames("{1: 'a'}"), null);
});
