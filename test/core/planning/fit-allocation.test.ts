import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allocateSensitivityRatios,
  buildSensitivityCurves,
  fitAllocationToTarget,
  PlanError,
  planMix,
  type SensitivityBaseline,
  type SensitivityPoint,
} from '../../../core/planning';
import { buildChannelGraph } from '../../../core/pruning/dependency/channel-graph';
import { buildGroups, prunableChannels } from '../../../core/pruning/groups';
import { pruneModel } from '../../../core/pruning/prune-model';
import type { PlanInput } from '../../../core/pruning/plan/plan-schema';
import { computeStats } from '../../../core/stats';
import { buildYoloV8, yolov8Spec } from '../../../core/yolo';
import type { Model } from '../../../core/onnx';
import { partOfModule, YOLOV8_STAGE_MAP } from '../../../core/yolo/part-map';

// A scan of a real yolov8n (64 px) with exact costs: every module pruned alone at each ratio, as the
// pipeline's scan does; only the mAP is synthetic (loss grows with the ratio, deeper modules cheaper).
const model = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }), { seed: 0 });
const toPlan = (units: Record<string, number>): PlanInput => ({
  criterion: 'l1',
  round_to: 8,
  modules: units,
});
// Deploy-form costs, as the planners count them (a target is a cut of the model that ships).
const stats = (m: Model) => computeStats(m, { form: 'deploy' });
const base = stats(model);
const baseline: SensitivityBaseline = { map50_95: 0.6, map50: 0.9, flops: base.flops, params: base.params };

async function scanOnce(): Promise<SensitivityPoint[]> {
  const modules = new Set<number>();
  for (const g of buildGroups(buildChannelGraph(model)).groups)
    if (g.module !== undefined && prunableChannels(g).length > 0) modules.add(g.module);
  const points: SensitivityPoint[] = [];
  for (const m of modules) {
    for (const ratio of [0.1, 0.3, 0.5, 0.7]) {
      const s = stats((await pruneModel(model, toPlan({ [`model.${m}`]: ratio }))).model);
      const drop = (ratio * 0.05) / (1 + m / 4);
      points.push({
        unit: `model.${m}`,
        stage: partOfModule(m, YOLOV8_STAGE_MAP) ?? 'head',
        ratio,
        map50_95: baseline.map50_95 - drop,
        map50: baseline.map50 - drop,
        flops: s.flops,
        params: s.params,
      });
    }
  }
  return points;
}
const scanned = scanOnce();

test('the sensitivity allocation is fitted until the exactly measured pruned model meets the target', async () => {
  const curves = buildSensitivityCurves(baseline, await scanned);
  const target = { flopsReduction: 0.4 };
  // The additive model alone falls short once applied: coupled units overlap.
  const additive = allocateSensitivityRatios(baseline, curves, target);
  const applied = stats((await pruneModel(model, toPlan(additive.modules))).model);
  assert.ok(
    applied.flops > 0.6 * base.flops,
    `additive plan already meets it: ${applied.flops / base.flops}`,
  );

  const fitted = await fitAllocationToTarget(model, baseline, curves, target, toPlan);
  assert.ok(fitted.flops <= 0.6 * base.flops, `${fitted.flops / base.flops} of the FLOPs kept`);
  assert.ok(fitted.askedFor.flopsReduction! > 0.4);
  // the plan is what the engine applies, and the reported cost is its exact cost
  assert.equal(stats((await pruneModel(model, fitted.plan)).model).flops, fitted.flops);
  // and it is (nearly) the least that meets the target: asking the additive model for 2% less does not
  const less = allocateSensitivityRatios(baseline, curves, {
    flopsReduction: fitted.askedFor.flopsReduction! - 0.02,
  });
  assert.ok(stats((await pruneModel(model, toPlan(less.modules))).model).flops > 0.6 * base.flops);
});

test('a target beyond the scanned ratios and bounds is PLAN_TARGET_UNREACHABLE with exact figures', async () => {
  const curves = buildSensitivityCurves(baseline, await scanned);
  await assert.rejects(
    fitAllocationToTarget(model, baseline, curves, { flopsReduction: 0.6 }, toPlan, {
      allocation: { bounds: { backbone: 0.4, neck: 0.3, head: 0.15 } },
    }),
    (e: unknown) =>
      e instanceof PlanError &&
      e.code === 'PLAN_TARGET_UNREACHABLE' &&
      /keeps \d+\.\d% of the FLOPs/.test(e.message),
  );
  // Wider stage bounds (the sensitivity planner's stageBounds option) reach it.
  const wide = await fitAllocationToTarget(model, baseline, curves, { flopsReduction: 0.6 }, toPlan, {
    allocation: { bounds: { backbone: 0.7, neck: 0.7, head: 0.7 } },
  });
  assert.ok(wide.flops <= 0.4 * base.flops, `${wide.flops / base.flops} of the FLOPs kept`);
});

test('mixed granularity honours the planner stage bounds: −70% is out of the review bounds, within wider ones', async () => {
  const curves = buildSensitivityCurves(baseline, await scanned);
  const target = { flopsReduction: 0.7 };
  const settings = { criterion: 'l1' as const, round_to: 8 };
  await assert.rejects(
    planMix(model, baseline, curves, [], target, 0, settings),
    (e: unknown) => e instanceof PlanError && e.code === 'PLAN_TARGET_UNREACHABLE',
  );
  const wide = await planMix(model, baseline, curves, [], target, 0, settings, {
    stageBounds: { backbone: 0.8, neck: 0.8, head: 0.7 },
  });
  assert.ok(wide.flops <= base.flops * 0.3, `${wide.flops} of ${base.flops}`);
});
