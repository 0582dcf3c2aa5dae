/**
 * Pruning engine cost on yolov8x (train-form, built with core/yolo at 640): time to build the channel
 * dependency graph and groups, and to score (l1), select and apply a uniform 50% plan, with the process's
 * peak memory (VmHWM). Building the model itself is excluded and its footprint reported separately.
 *
 *   npx tsx bench/prune-yolov8x.ts [--size x] [--ratio 0.5] [--criterion l1] [--runs 3] [--model FILE] [--plan-extra JSON] [--out FILE]
 *
 * --model prunes an ONNX file instead (e.g. an ultralytics export); --plan-extra merges into the plan (e.g.
 * '{"modules":{"model.22":0}}' to leave Detect alone as Torch-Pruning's recipe does); --out writes the result.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { encodeModel } from '../core/onnx/encode';
import { readModelFile } from '../runtime/onnx-file';
import { parseArgs } from 'node:util';
import { buildChannelGraph } from '../core/pruning/dependency/channel-graph';
import { buildGroups } from '../core/pruning/groups';
import { pruneModel } from '../core/pruning/prune-model';
import { buildYoloV8, yolov8Spec, type YoloV8Size } from '../core/yolo';

function peakRssMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      ratio: { type: 'string' },
      criterion: { type: 'string' },
      runs: { type: 'string' },
      model: { type: 'string' },
      'plan-extra': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const size = (values.size ?? 'x') as YoloV8Size;
  const ratio = Number(values.ratio ?? 0.5);
  const runs = Number(values.runs ?? 3);
  const model = values.model
    ? readModelFile(values.model)
    : buildYoloV8(yolov8Spec(size, { nc: 80, imgsz: 640 }), { batchNorm: 'random' });
  const extra = values['plan-extra'] ? (JSON.parse(values['plan-extra']) as object) : {};
  const afterBuild = peakRssMiB();
  const graphMs: number[] = [];
  const pruneMs: number[] = [];
  let removed = 0;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const gs = buildGroups(buildChannelGraph(model));
    graphMs.push(performance.now() - t);
    t = performance.now();
    const result = await pruneModel(model, {
      global_ratio: ratio,
      criterion: values.criterion ?? 'l1',
      ...extra,
    });
    pruneMs.push(performance.now() - t);
    removed = result.removedChannels;
    if (values.out && i === runs - 1) writeFileSync(values.out, encodeModel(result.model));
    if (gs.groups.length === 0) throw new Error('no groups');
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    JSON.stringify({
      model: values.model ?? `yolov8${size}`,
      ratio,
      runs,
      graphAndGroupsMs: Math.round(median(graphMs)),
      // pruneModel builds the graph again, scores, selects and applies: the full analyse-and-prune cost.
      analyseAndPruneMs: Math.round(median(pruneMs)),
      removedChannels: removed,
      peakRssMiBAfterBuild: afterBuild,
      peakRssMiB: peakRssMiB(),
      node: process.version,
    }),
  );
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
