// An iterative schedule's steps against the one-shot plan: the last step lands on the plan's widths exactly.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scheduleStepPlan, scheduleWidths } from '../../../core/planning/schedule-step';
import { buildChannelGraph } from '../../../core/pruning/dependency/channel-graph';
import { buildGroups } from '../../../core/pruning/groups';
import { pruneModel } from '../../../core/pruning/prune-model';
import type { PlanInput } from '../../../core/pruning/plan/plan-schema';
import { computeStats } from '../../../core/stats';
import { buildYoloV8, yolov8Spec } from '../../../core/yolo';

const widths = (m: Parameters<typeof buildChannelGraph>[0]) =>
  new Map(buildGroups(buildChannelGraph(m)).groups.map((g) => [g.id, g.components.length]));

test('a schedule of 4 steps narrows every group monotonically and ends on the one-shot widths and FLOPs', async () => {
  const model = buildYoloV8({ ...yolov8Spec('n', { nc: 3, imgsz: 64 }), widthMultiple: 0.5 }, { seed: 0 });
  // A −70%-like staged plan: at these widths a re-scaled ratio per step snapped many groups at once.
  const plan: PlanInput = { stages: { backbone: 0.66, neck: 0.44, head: 0.22 }, round_to: 8 };
  const oneShot = (await pruneModel(model, plan)).model;
  const { original, final } = await scheduleWidths(model, plan);
  assert.deepEqual(final, widths(oneShot));

  let current = model;
  let previous = widths(model);
  const flops: number[] = [];
  for (let k = 1; k <= 4; k++) {
    const step = scheduleStepPlan(original, final, current, plan, k, 4);
    assert.equal(step.stages, undefined, 'a step names its groups, not the stages');
    current = (await pruneModel(current, step)).model;
    const now = widths(current);
    for (const [unit, w] of now) {
      assert.ok(w <= previous.get(unit)!, `${unit} widened at step ${k}`);
      assert.ok(w >= final.get(unit)!, `${unit} went below its final width at step ${k}`);
    }
    previous = now;
    flops.push(computeStats(current).flops);
  }
  assert.deepEqual(previous, final, 'the last step keeps exactly the one-shot widths');
  assert.equal(flops[3], computeStats(oneShot).flops);
  assert.ok(flops[0]! > flops[1]! && flops[1]! > flops[3]!, `${flops}`);
});

test('a plan with block drops drops them in the first step and still ends on the one-shot widths', async () => {
  const model = buildYoloV8(yolov8Spec('s', { nc: 3, imgsz: 64 }), { seed: 0 });
  const plan: PlanInput = { blocks: ['model.4.m.1', 'model.6.m.0'], global_ratio: 0.5 };
  const { original, final } = await scheduleWidths(model, plan);
  let current = model;
  for (let k = 1; k <= 2; k++) {
    const step = scheduleStepPlan(original, final, current, plan, k, 2);
    assert.equal(step.blocks?.length ?? 0, k === 1 ? 2 : 0);
    current = (await pruneModel(current, step)).model;
  }
  assert.deepEqual(widths(current), final);
});
