import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  float32ArrayToBfloat16,
  bfloat16ArrayToFloat32,
} from '../../../core/onnx';

test('float16 encodes known values exactly', () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [2 ** -24, 0x0001],
    [2 ** -14, 0x0400],
    [Infinity, 0x7c00],
    [1e6, 0x7c00],
    [0.1, 0x2e66],
  ];
  for (const [value, bits] of cases) {
    assert.equal(float32ToFloat16Bits(value), bits, `encode ${value}`);
    if (value !== 1e6 && value !== 0.1) assert.equal(float16BitsToFloat32(bits), value, `decode ${bits}`);
  }
  assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN))));
});

test('float16 rounds to nearest even and every half value round-trips', () => {
  // 1 + 2^-11 is exactly halfway between 1 and the next half (1 + 2^-10): ties go to the even mantissa.
  assert.equal(float32ToFloat16Bits(1 + 2 ** -11), 0x3c00);
  assert.equal(float32ToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);
  for (let bits = 0; bits < 0x10000; bits++) {
    const v = float16BitsToFloat32(bits);
    if (Number.isNaN(v)) continue;
    assert.equal(float32ToFloat16Bits(v), bits);
  }
});

test('bfloat16 keeps the top half of float32 with rounding', () => {
  const values = Float32Array.from([1, -3.5, 0.15625, 1 + 2 ** -8]);
  const back = bfloat16ArrayToFloat32(float32ArrayToBfloat16(values));
  assert.deepEqual(Array.from(back), [1, -3.5, 0.15625, 1]);
});
