import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NumberFormatSchema,
  numberFormatHtml,
  numberFormatMarkdown,
} from '../../../core/report/number-format';

const sample = NumberFormatSchema.parse({
  observer: 'minmax',
  float: { map50_95: 0.6197, map50: 0.8985, latency_ms: 20 },
  int8: { map50_95: 0.615, map50: 0.897, latency_ms: 12.5 },
  quantized_nodes: 209,
  float_nodes: 50,
  kept_float_layers: ['/model.22/cv2.0/cv2.0.2/Conv'],
  selection: { float: 0.672, all_int8: 0.66, delivered: 0.668, within_budget: true },
});

test('number format: float and int8 rows with the speed-up, the kept layers and the control on selection', () => {
  const md = numberFormatMarkdown(sample).join('\n');
  assert.match(md, /\| float \| 0\.6197 \| 0\.8985 \| 20\.00 \| 1× \|/);
  assert.match(md, /\| int8 \(minmax\) \| 0\.6150 \| 0\.8970 \| 12\.50 \| 1\.60× \|/);
  assert.match(md, /Kept in float by the accuracy control: \/model\.22\/cv2\.0\/cv2\.0\.2\/Conv\./);
  assert.match(md, /every layer int8 0\.6600, delivered 0\.6680\./);
  const html = numberFormatHtml({ ...sample, kept_float_layers: [], selection: undefined });
  assert.match(html, /<td class="num">1\.60×<\/td>/);
  assert.match(html, /No layer kept in float beyond the decode path\./);
  assert.doesNotMatch(html, /Accuracy control/);
});
