import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SCALED_RATIO, PlanError, resolveTarget, scalePlanToTarget } from '../../../core/planning';
import { pruneModel } from '../../../core/pruning/prune-model';
import { computeStats } from '../../../core/stats';
import { buildYoloV8, yolov8Spec } from '../../../core/yolo';

const model = buildYoloV8(yolov8Spec('n', { nc: 3, imgsz: 64 }), { seed: 0 });
const staged = { criterion: 'l1' as const, stages: { backbone: 0.3, neck: 0.2, head: 0.1 } };

test('a staged plan is scaled, proportions kept, until the pruned model just meets the FLOPs target', async () => {
  const s = await scalePlanToTarget(model, staged, { flopsReduction: 0.5 });
  assert.ok(s.flops <= 0.5 * s.baseFlops, `${s.flops} vs ${s.baseFlops}`);
  const st = s.plan.stages!;
  assert.ok(Math.abs(st.backbone! / st.neck! - 1.5) < 1e-9 && Math.abs(st.neck! / st.head! - 2) < 1e-9);
  // the plan is what the engine applies: pruning with it gives the reported cost
  const again = computeStats((await pruneModel(model, s.plan)).model, { form: 'deploy' });
  assert.equal(again.flops, s.flops);
  // and it is the least scale that meets the target: a slightly smaller one does not
  const less = {
    ...staged,
    stages: { backbone: 0.3 * (s.scale - 0.02), neck: 0.2 * (s.scale - 0.02), head: 0.1 * (s.scale - 0.02) },
  };
  assert.ok(
    computeStats((await pruneModel(model, less)).model, { form: 'deploy' }).flops > 0.5 * s.baseFlops,
  );
});

test('a uniform plan meets a parameter target; an impossible target is PLAN_TARGET_UNREACHABLE', async () => {
  const u = await scalePlanToTarget(model, { criterion: 'l1', global_ratio: 0.3 }, { paramsReduction: 0.4 });
  assert.ok(u.params <= 0.6 * u.baseParams);
  assert.ok(u.plan.global_ratio! > 0 && u.plan.global_ratio! <= MAX_SCALED_RATIO);
  await assert.rejects(
    scalePlanToTarget(model, staged, { flopsReduction: 0.99 }),
    (e: unknown) =>
      e instanceof PlanError && e.code === 'PLAN_TARGET_UNREACHABLE' && /FLOPs −0.99/.test(e.message),
  );
  await assert.rejects(
    scalePlanToTarget(model, { criterion: 'l1', global_ratio: 0 }, { flopsReduction: 0.3 }),
    (e: unknown) => e instanceof PlanError && e.code === 'PLAN_TARGET_INVALID',
  );
});

test('a latency budget becomes a FLOPs reduction from the measured baseline; a met budget adds nothing', () => {
  const r = resolveTarget({ latencyMs: 30 }, 40);
  assert.ok(Math.abs(r.flopsReduction! - 0.25) < 1e-12);
  assert.deepEqual(r.fromLatency, { budgetMs: 30, baselineMs: 40, flopsReduction: r.flopsReduction });
  assert.equal(resolveTarget({ latencyMs: 30, flopsReduction: 0.5 }, 40).flopsReduction, 0.5);
  assert.deepEqual(resolveTarget({ latencyMs: 50, paramsReduction: 0.2 }, 40), { paramsReduction: 0.2 });
  assert.throws(
    () => resolveTarget({ latencyMs: 1 }, 40),
    (e: unknown) => e instanceof PlanError && e.code === 'PLAN_TARGET_UNREACHABLE',
  );
  assert.throws(
    () => resolveTarget({ latencyMs: 10 }, undefined),
    (e: unknown) => e instanceof PlanError && e.code === 'PLAN_TARGET_INVALID',
  );
});
