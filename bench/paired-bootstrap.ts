/**
 * Is a pruned model's mAP50-95 gap to the base real, or the test set's noise? Each model and the base
 * are scored once on the split; then the images are resampled with replacement and both are scored on
 * the same resample (the paired bootstrap, core/metrics/paired-bootstrap.ts). Prints a Markdown table:
 * the observed difference, its percentile interval, the share of resamples within --margin of the base,
 * and one model's own standard deviation over resamples (the noise of a single test-set score).
 *
 *   npx tsx bench/paired-bootstrap.ts --models a.onnx,b.onnx [--base models/yolov8n-bccd.onnx]
 *       [--data datasets/bccd] [--split test] [--resamples 1000] [--seed 0] [--margin 0.003]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pairedBootstrap } from '../core/metrics';
import { evaluateModel, type EvaluationResult } from '../runtime/evaluate';

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    base: { type: 'string', default: 'models/yolov8n-bccd.onnx' },
    data: { type: 'string', default: 'datasets/bccd' },
    split: { type: 'string', default: 'test' },
    resamples: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '0' },
    margin: { type: 'string', default: '0.003' },
  },
});
if (!values.models) throw new Error('--models a.onnx,b.onnx is required');
const resamples = Number(values.resamples);
const margin = Number(values.margin);

const evaluate = (model: string) => evaluateModel({ model, data: values.data!, split: values.split! });

function sameImages(a: EvaluationResult, b: EvaluationResult): void {
  const ids = (r: EvaluationResult) => r.evaluatedImages.map((im) => im.id).join(',');
  if (ids(a) !== ids(b)) throw new Error('the models were scored on different images');
}

const pts = (x: number) => (100 * x).toFixed(2);

async function main(): Promise<void> {
  const base = await evaluate(values.base!);
  const k = base.classNames.length;
  console.log(
    `base ${values.base}: mAP50-95 ${base.metrics.map50_95.toFixed(4)} on ${base.images} ${values.split} images; ` +
      `${resamples} paired resamples, seed ${values.seed}; differences in points (model − base)\n`,
  );
  console.log(
    `| model | mAP50-95 | Δ | 95% interval of Δ | resamples with Δ ≥ −${pts(margin)} | sd of one score (model / base) |`,
  );
  console.log('|---|---|---|---|---|---|');
  for (const model of values.models!.split(',')) {
    const m = await evaluate(model);
    sameImages(base, m);
    const r = pairedBootstrap(base.evaluatedImages, base.detections, m.detections, k, {
      resamples,
      seed: Number(values.seed),
    });
    const within = r.deltas.filter((d) => d >= -margin).length / r.deltas.length;
    console.log(
      `| ${path.basename(model, '.onnx')} | ${m.metrics.map50_95.toFixed(4)} | ${pts(r.observed)} | ` +
        `[${pts(r.low)}, ${pts(r.high)}] | ${(100 * within).toFixed(1)}% | ${pts(r.sdB)} / ${pts(r.sdA)} |`,
    );
  }
}

void main();
