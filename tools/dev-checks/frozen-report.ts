// Dev check: per model file, how many channels the dependency analysis can prune and why the rest are
// frozen, as a Markdown table row (docs/PRUNING.md "Coverage per family").
//   npx tsx tools/dev-checks/frozen-report.ts MODEL.onnx [MODEL2.onnx ...]

import path from 'node:path';
import { buildChannelGraph } from '../../core/pruning/dependency/channel-graph';
import { buildGroups, prunableChannels } from '../../core/pruning/groups';
import { partMapOf } from '../../core/yolo/part-map';
import { readModelFile } from '../../runtime/onnx-file';

const REASONS = [
  'graph-input',
  'graph-output',
  'head-output',
  'decode-path',
  'unknown-op',
  'unsupported-op-form',
];

console.log(`| model | family | groups | channels | prunable | ${REASONS.join(' | ')} | patterns |`);
console.log(`|---|---|---|---|---|${REASONS.map(() => '---').join('|')}|---|`);
for (const file of process.argv.slice(2)) {
  const model = readModelFile(file);
  const cg = buildChannelGraph(model);
  const gs = buildGroups(cg);
  const total = gs.groups.reduce((n, g) => n + g.components.length, 0);
  const prunable = gs.groups.reduce((n, g) => n + prunableChannels(g).length, 0);
  const byReason = new Map<string, number>();
  for (const g of gs.groups)
    for (const r of g.frozen) if (r) byReason.set(r.kind, (byReason.get(r.kind) ?? 0) + 1);
  const cells = REASONS.map((r) => String(byReason.get(r) ?? 0));
  const family = partMapOf(model).family ?? '?';
  console.log(
    `| ${path.basename(file)} | ${family} | ${gs.groups.length} | ${total} | ${prunable} | ${cells.join(' | ')} | ${cg.patterns.length} |`,
  );
}
