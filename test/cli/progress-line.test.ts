// The progress line `run --wait`, `status` and `demo` redraw: the workflow's stage, then what runs inside it,
// read from the pending activities' heartbeat details and the open children's progress queries.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingProgressOf } from '../../activities/compress/finetune';
import type { RunNode } from '../../clients';
import type { CompressProgress } from '../../common/compress-result';
import { formatDuration, progressLine } from '../../cli/progress-line';

const finetuning: CompressProgress = { stage: 'finetuning', percent: 40, message: 'fine-tuning 60 epochs' };
const planning: CompressProgress = { stage: 'planning', percent: 17, message: 'planning (amc)' };
const run = (over: Partial<RunNode>): RunNode => ({
  workflowId: 'compress-x',
  workflowType: 'compressModel',
  activities: [],
  children: [],
  ...over,
});

describe('progress line', () => {
  test("a fine-tune's heartbeat (from the trainer's progress event) shows epoch, step, loss and ETA", () => {
    const heartbeat = trainingProgressOf({
      event: 'progress',
      step: 1200,
      steps: 6000,
      epoch: 12.3456,
      epochs: 60,
      loss: { box: 1.25, cls: 1.5, dfl: 0.5, cwd: 0.162, l1: null },
      lr: 0.001,
      images_per_s: 40,
      eta_s: 680.4,
      checkpoint: null,
    });
    const line = progressLine(
      finetuning,
      run({ activities: [{ type: 'finetune', attempt: 1, details: { ...heartbeat, checkpoint: null } }] }),
    );
    assert.equal(
      line,
      '[############..................]  40% finetuning: fine-tuning 60 epochs · epoch 12.3/60 · step 1200/6000 · loss 3.412 · ETA 11m20s',
    );
  });

  test('a retried fine-tune says its attempt; one that has not reported yet shows its name', () => {
    const retried = run({
      activities: [{ type: 'finetune', attempt: 2, details: { step: 50, steps: 100, checkpoint: null } }],
    });
    assert.match(progressLine(finetuning, retried), / · step 50\/100 \(attempt 2\)$/);
    assert.match(
      progressLine(finetuning, run({ activities: [{ type: 'finetune', attempt: 1 }] })),
      / · finetune$/,
    );
  });

  test("a search child's episodes and its fan-out, a scan's points, a latency count", () => {
    const amc = run({
      children: [
        run({
          workflowType: 'planByAmc',
          children: [
            run({
              workflowType: 'amcSearch',
              progress: { episodesDone: 24, episodes: 100 },
              activities: [1, 2, 3].map(() => ({ type: 'amcEvaluateEpisode', attempt: 1 })),
            }),
          ],
        }),
      ],
    });
    assert.match(
      progressLine(planning, amc),
      /planning \(amc\) · AMC episode 24\/100 · amcEvaluateEpisode ×3$/,
    );
    const scan = run({
      children: [run({ workflowType: 'scanSensitivity', progress: { done: 40, total: 120 } })],
    });
    assert.match(progressLine(planning, scan), / · scan 40\/120 points$/);
    const listing = run({
      children: [run({ workflowType: 'scanSensitivity', progress: { done: 0, total: 0 } })],
    });
    assert.equal(
      progressLine(planning, listing),
      progressLine(planning),
      'no count before the units are listed',
    );
    const latency = run({
      activities: [{ type: 'measureLatency', attempt: 1, details: { done: 3, total: 10 } }],
    });
    assert.match(progressLine(planning, latency), / · measureLatency 3\/10$/);
  });

  test('nothing pending: the stage alone; malformed details are named, not trusted', () => {
    assert.equal(progressLine(finetuning, run({})), progressLine(finetuning));
    const odd = run({ activities: [{ type: 'finetune', attempt: 1, details: { step: 'x' } }] });
    assert.match(progressLine(finetuning, odd), / · finetune$/);
  });

  test('durations read as seconds, minutes or hours', () => {
    assert.deepEqual([42, 680, 3720, -3].map(formatDuration), ['42s', '11m20s', '1h02m', '0s']);
  });
});
