// The report's "number format" part: the delivered float model against its INT8 form (issue 28) — accuracy on
// the evaluation split, latency, and which layers the accuracy control kept in float — in Markdown and HTML.

import { z } from 'zod';
import { cell } from './format';
import { esc, note, section, table } from './html';

const modelRow = z.object({
  map50_95: z.number(),
  map50: z.number(),
  latency_ms: z.number().nonnegative(),
});

export const NumberFormatSchema = z.object({
  observer: z.string().min(1),
  float: modelRow,
  int8: modelRow,
  quantized_nodes: z.number().int().nonnegative(),
  float_nodes: z.number().int().nonnegative(),
  kept_float_layers: z.array(z.string()),
  /** The accuracy control's figures on the selection split (mAP50-95). */
  selection: z
    .object({ float: z.number(), all_int8: z.number(), delivered: z.number(), within_budget: z.boolean() })
    .optional(),
});
export type NumberFormat = z.output<typeof NumberFormatSchema>;

function rows(n: NumberFormat): string[][] {
  const speedUp = n.int8.latency_ms > 0 ? `${(n.float.latency_ms / n.int8.latency_ms).toFixed(2)}×` : 'n/a';
  return [
    ['float', n.float.map50_95.toFixed(4), n.float.map50.toFixed(4), n.float.latency_ms.toFixed(2), '1×'],
    [
      `int8 (${n.observer})`,
      n.int8.map50_95.toFixed(4),
      n.int8.map50.toFixed(4),
      n.int8.latency_ms.toFixed(2),
      speedUp,
    ],
  ];
}

function keptText(n: NumberFormat): string {
  const control = n.selection
    ? ` Accuracy control on the selection split: mAP50-95 float ${n.selection.float.toFixed(4)}, every layer int8 ` +
      `${n.selection.all_int8.toFixed(4)}, delivered ${n.selection.delivered.toFixed(4)}` +
      `${n.selection.within_budget ? '' : ' (the budget was not met with every layer tried)'}.`
    : '';
  const kept =
    n.kept_float_layers.length === 0
      ? 'No layer kept in float beyond the decode path.'
      : `Kept in float by the accuracy control: ${n.kept_float_layers.join(', ')}.`;
  return `${n.quantized_nodes} nodes int8, ${n.float_nodes} float. ${kept}${control}`;
}

const HEAD = ['number format', 'mAP50-95', 'mAP50', 'latency ms', 'speed-up'];

export function numberFormatMarkdown(n: NumberFormat): string[] {
  return [
    '## Number format',
    '',
    `| ${HEAD.join(' | ')} |`,
    '|---|---:|---:|---:|---:|',
    ...rows(n).map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
    keptText(n),
    '',
  ];
}

export function numberFormatHtml(n: NumberFormat): string {
  return section('number-format', 'Number format', [
    table(
      HEAD,
      rows(n).map((r) => r.map(esc)),
      { className: 'number-format', numeric: [1, 2, 3, 4] },
    ),
    note(esc(keptText(n))),
  ]);
}
