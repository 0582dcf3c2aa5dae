// Which device trained (issue 27): `device: auto` without CUDA trains on the CPU and says so in its start and
// done events, the fine-tune's result and the run report; `device: cuda` without CUDA is the typed
// DEVICE_UNAVAILABLE before any training, non-retryable in the pipeline. CUDA is hidden from the trainer
// (CUDA_VISIBLE_DEVICES=""), so these hold on a machine with a GPU too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { memoized, type PipelineDeps } from '../../activities/compress/context';
import type { FinetuneInput, FinetuneResult } from '../../activities/compress/finetune';
import { gatherReportEvidence } from '../../activities/compress/report-evidence';
import { toApplicationFailure } from '../../activities/failures';
import type { ArtifactRef } from '../../common/artifact-ref';
import { resolveRunSplits } from '../../common/data-split';
import { compressModelInputSchema } from '../../common/compress-input';
import {
  describeTrainedDevice,
  renderReportHtml,
  renderReportMarkdown,
  RunReportSchema,
  type TrainedDevice,
} from '../../core/report';
import { ArtifactMissingError, type ArtifactStore } from '../../runtime/artifacts';
import {
  DEVICE_UNAVAILABLE,
  runTrainer,
  TrainerDeviceError,
  TrainerInputError,
  trainedDeviceOf,
  writeTrainerJob,
  type StartEvent,
  type TrainerEvent,
} from '../../runtime/trainer-process';
import { fullReportInput } from '../core/report/full-report-fixture';
import { tempDir, tinyJob, tinyModel, trainerSkipReason } from './tiny-fixtures';

const skip = trainerSkipReason();
/** The trainer's environment with every CUDA device hidden from torch. */
const noCuda = { CUDA_VISIBLE_DEVICES: '' };
const FALLBACK: TrainedDevice = {
  device: 'cpu',
  requested: 'auto',
  fallback: true,
  reason: "CUDA_VISIBLE_DEVICES='' hides every CUDA device",
};

test(
  'device auto without CUDA trains on the CPU, and the start and done events say it fell back',
  { skip, timeout: 120_000 },
  async () => {
    const dir = tempDir('device-auto');
    const model = tinyModel(dir);
    const events: TrainerEvent[] = [];
    const jobFile = await writeTrainerJob(
      path.join(dir, 'job.json'),
      tinyJob(dir, model, { epochs: 1, max_steps: 1, device: 'auto' }),
    );
    const done = await runTrainer({ jobFile, env: noCuda, onEvent: (e) => events.push(e) });
    const start = events.find((e): e is StartEvent => e.event === 'start')!;
    for (const e of [start, done]) {
      assert.equal(e.device, 'cpu', e.event);
      assert.equal(e.device_requested, 'auto', e.event);
      assert.equal(e.device_fallback, true, e.event);
      assert.equal(e.device_reason, FALLBACK.reason, e.event);
    }
    assert.deepEqual(trainedDeviceOf(done), FALLBACK);
    assert.equal(describeTrainedDevice(trainedDeviceOf(done)!), `cpu (auto: ${FALLBACK.reason})`);

    // Asked for the CPU: no fallback to report.
    const cpuJob = await writeTrainerJob(
      path.join(dir, 'job-cpu.json'),
      tinyJob(dir, model, { epochs: 1, max_steps: 1, device: 'cpu' }),
    );
    const cpu = await runTrainer({ jobFile: cpuJob, env: noCuda });
    assert.deepEqual(trainedDeviceOf(cpu), { device: 'cpu', requested: 'cpu', fallback: false });
    assert.equal(cpu.device_reason, null);
    assert.equal(describeTrainedDevice(trainedDeviceOf(cpu)!), 'cpu');
  },
);

test(
  'device cuda without CUDA is DEVICE_UNAVAILABLE before any training, and non-retryable in the pipeline',
  { skip, timeout: 120_000 },
  async () => {
    const dir = tempDir('device-cuda');
    const model = tinyModel(dir);
    const events: TrainerEvent[] = [];
    const job = tinyJob(dir, model, { epochs: 1, max_steps: 1, device: 'cuda' });
    const jobFile = await writeTrainerJob(path.join(dir, 'job.json'), job);
    const err = await runTrainer({ jobFile, env: noCuda, onEvent: (e) => events.push(e) }).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TrainerDeviceError, String(err));
    assert.ok(err instanceof TrainerInputError);
    assert.equal(err.code, DEVICE_UNAVAILABLE);
    assert.equal(err.code, 'DEVICE_UNAVAILABLE');
    assert.equal(err.exitCode, 3);
    assert.equal(err.isInputError, true);
    assert.match(
      err.message,
      /^device cuda requested, but CUDA is not available: CUDA_VISIBLE_DEVICES='' hides every CUDA device \(torch [^)]+\); train with device cpu or auto$/,
    );
    assert.equal(err.message.split('\n').length, 1, err.message);
    assert.deepEqual(
      events.map((e) => e.event),
      ['error'],
      'no start: nothing was trained',
    );
    assert.equal(existsSync(job.out), false, 'nothing written');

    const failure = toApplicationFailure(err);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'DEVICE_UNAVAILABLE');
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.message, err.message);
  },
);

/** Just enough of a store for memos: named JSON documents in memory. */
function memoStore(): ArtifactStore {
  const docs = new Map<string, unknown>();
  const unused = () => Promise.reject(new Error('not used by this test'));
  return {
    bucket: 'test',
    put: unused,
    get: unused,
    exists: unused,
    putObject: unused,
    getObject: unused,
    list: unused,
    putJson: async (key, value) => void docs.set(key, JSON.parse(JSON.stringify(value))),
    getJson: async (key) => {
      if (!docs.has(key)) throw new ArtifactMissingError('test', key);
      return docs.get(key);
    },
  };
}

test('the report reads the fine-tune device (the result’s, else the fine-tune memo’s) and states it', async () => {
  const deps = { store: memoStore() } as unknown as PipelineDeps;
  const ref = (key: string): ArtifactRef => ({ bucket: 'test', key: `sha256/${key}`, sha256: key, size: 1 });
  const parsed = compressModelInputSchema.parse({ model: 's3://test/m.onnx', data: 's3://test/data/' });
  const options = { ...parsed, splits: resolveRunSplits(parsed.splits, { choosesOnSelection: false }) };
  const artifacts = { original: ref('original'), pruned: ref('pruned'), finetuned: ref('finetuned') };
  const dataset = ref('dataset');
  // The fine-tune activity's memo, under the input compressModel gives it.
  const input: FinetuneInput = {
    student: artifacts.pruned,
    teacher: artifacts.original,
    dataset,
    split: options.splits.finetune,
    options: options.finetune,
  };
  const tuned: FinetuneResult = {
    model: artifacts.finetuned,
    steps: 2,
    resumedFromStep: 0,
    attempt: 1,
    device: FALLBACK,
  };
  await memoized(deps, 'finetune', input, async () => tuned);

  const given = { options, artifacts, dataset, finetuneLoss: ref('loss') };
  const fromMemo = await gatherReportEvidence(deps, given);
  assert.deepEqual(fromMemo.finetuneDevice, FALLBACK, 'a result without the device: the memo has it');
  const cuda: TrainedDevice = { device: 'cuda', requested: 'auto', fallback: false };
  const fromResult = await gatherReportEvidence(deps, { ...given, finetuneDevice: cuda });
  assert.deepEqual(fromResult.finetuneDevice, cuda, "the workflow result's device comes first");
  const none = await gatherReportEvidence(deps, { ...given, artifacts: { original: artifacts.original } });
  assert.equal(none.finetuneDevice, undefined, 'no fine-tune, no device');

  const plain: TrainedDevice = { device: 'cpu', requested: 'auto', fallback: true, reason: 'no CUDA device' };
  assert.equal(describeTrainedDevice(plain), 'cpu (auto: no CUDA device)');
  assert.equal(describeTrainedDevice(cuda), 'cuda (auto)');

  const report = RunReportSchema.parse({ ...fullReportInput, finetune_device: fromMemo.finetuneDevice });
  assert.deepEqual(report.finetune_device, FALLBACK);
  assert.match(
    renderReportMarkdown(report),
    /^\| fine-tuned on \| cpu \(auto: CUDA_VISIBLE_DEVICES='' hides every CUDA device\) \|$/m,
  );
  assert.match(
    renderReportHtml(report),
    /fine-tuned on.*cpu \(auto: CUDA_VISIBLE_DEVICES=&apos;&apos; hides every CUDA device\)/s,
  );
  const without = RunReportSchema.parse(fullReportInput);
  assert.doesNotMatch(renderReportMarkdown(without), /fine-tuned on/);
  assert.equal(
    RunReportSchema.safeParse({
      ...fullReportInput,
      finetune_device: { device: 'cpu', requested: 'gpu', fallback: false },
    }).success,
    false,
  );
});
