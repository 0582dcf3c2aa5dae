import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatasetError } from '../../core/datasets';
import { bccdRoot } from '../../runtime/datasets';
import { decodeImageBytes, decodeImageFile, readImageSize } from '../../runtime/images';

const jpg = path.join(bccdRoot(), 'JPEGImages/BloodImage_00000.jpg');

test('decodes BCCD JPEGs to 640x480 RGB', async () => {
  const img = await decodeImageFile(jpg);
  assert.equal(img.width, 640);
  assert.equal(img.height, 480);
  assert.equal(img.data.length, 640 * 480 * 3);
  assert.deepEqual(await readImageSize(jpg), { width: 640, height: 480 });
});

test('missing and corrupt images are typed errors naming the file', async () => {
  await assert.rejects(
    decodeImageFile('/nonexistent/x.jpg', 'JPEGImages/x.jpg'),
    (e: unknown) =>
      e instanceof DatasetError &&
      e.code === 'DATASET_IMAGE_MISSING' &&
      e.message.startsWith('JPEGImages/x.jpg:'),
  );
  const bytes = readFileSync(jpg);
  await assert.rejects(
    decodeImageBytes(bytes.subarray(0, bytes.length / 2), 'JPEGImages/half.jpg'),
    (e: unknown) =>
      e instanceof DatasetError && e.code === 'DATASET_IMAGE_CORRUPT' && e.file === 'JPEGImages/half.jpg',
  );
  await assert.rejects(decodeImageBytes(new Uint8Array([1, 2, 3]), 'junk.jpg'), /DATASET|junk\.jpg/);
});
