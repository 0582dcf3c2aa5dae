import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  parseTrainerLine,
  runTrainer,
  TrainerInputError,
  TrainerInterruptedError,
  TrainerJobError,
  writeTrainerJob,
  type ProgressEvent,
  type TrainerEvent,
} from '../../runtime/trainer-process';
import { bccdRoot, tempDir, tinyJob, tinyModel, trainerSkipReason } from './tiny-fixtures';

const skip = trainerSkipReason();
const progressOf = (events: TrainerEvent[]) => events.filter((e): e is ProgressEvent => e.event === 'progress');

test('protocol lines parse into typed events; other lines are ignored', () => {
  const e = parseTrainerLine('{"event": "progress", "step": 3, "steps": 10, "epoch": 0.3, "epochs": 1, "loss": {"total": 1.5, "cwd": null}, "lr": 0.01, "images_per_s": 12.5, "eta_s": 4, "checkpoint": null}');
  assert.equal(e?.event, 'progress');
  assert.equal(parseTrainerLine('warning: something'), undefined);
  assert.equal(parseTrainerLine('{"event": "progress"}'), undefined);
});

test('resume continues from the exact step with identical losses and weights (EMA settings included)', { skip, timeout: 120_000 }, async () => {
  const dir = tempDir('resume');
  const model = tinyModel(dir);
  const job = tinyJob(dir, model, { epochs: 6, checkpoint_every: 3, ema: true, ema_decay: 0.9, ema_tau: 1, augment: { enabled: true, close_mosaic: 2 } });
  const straight: TrainerEvent[] = [];
  const done = await runTrainer({ jobFile: await writeTrainerJob(path.join(dir, 'a.json'), job), onEvent: (e) => straight.push(e) });
  assert.equal(done.steps, 6);
  const ckpt = path.join(dir, 'out', 'checkpoints', 'step-000000003.pt');
  assert.ok(existsSync(ckpt));

  const resumed: TrainerEvent[] = [];
  const jobB = { ...job, out: path.join(dir, 'out-b') };
  const doneB = await runTrainer({ jobFile: await writeTrainerJob(path.join(dir, 'b.json'), jobB), resume: ckpt, onEvent: (e) => resumed.push(e) });
  const steps = progressOf(resumed).map((e) => e.step);
  assert.deepEqual(steps, [4, 5, 6], 'continues at step 4, not 0');
  assert.equal(doneB.steps, 6);
  const a = progressOf(straight).at(-1)!.loss;
  const b = progressOf(resumed).at(-1)!.loss;
  assert.deepEqual(b, a, 'a resumed run replays the same batches and state');
  assert.deepEqual(readFileSync(doneB.model), readFileSync(done.model), 'the same final weights');
});

test('SIGTERM (abort) writes a checkpoint and exits 75; the run resumes from it', { skip, timeout: 120_000 }, async () => {
  const dir = tempDir('sigterm');
  const model = tinyModel(dir);
  const job = tinyJob(dir, model, { epochs: 10_000, checkpoint_every: 100_000 });
  const jobFile = await writeTrainerJob(path.join(dir, 'job.json'), job);
  const abort = new AbortController();
  const err = await runTrainer({
    jobFile,
    signal: abort.signal,
    onEvent: (e) => {
      if (e.event === 'progress' && e.step === 2) abort.abort();
    },
  }).then(
    () => assert.fail('should not finish'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TrainerInterruptedError, String(err));
  assert.equal(err.exitCode, 75);
  assert.equal(err.code, 'TRAINER_CANCELLED');
  assert.ok(err.checkpoint && existsSync(err.checkpoint), `checkpoint ${err.checkpoint}`);
  assert.ok((err.step ?? 0) >= 2);

  const events: TrainerEvent[] = [];
  const again = new AbortController();
  await runTrainer({ jobFile, resume: err.checkpoint!, signal: again.signal, onEvent: (e) => {
    events.push(e);
    if (e.event === 'progress') again.abort();
  } }).catch(() => undefined);
  assert.equal(progressOf(events)[0]?.step, err.step! + 1);
});

test('an invalid job file exits 2 with the field named', { skip, timeout: 60_000 }, async () => {
  const dir = tempDir('badjob');
  const jobFile = path.join(dir, 'job.json');
  writeFileSync(jobFile, JSON.stringify({ mode: 'train', model: 'x.onnx', out: 'o', epochs: -1, data: { format: 'voc', root: '.' }, lr: 3 }));
  const err = await runTrainer({ jobFile }).then(() => assert.fail('should fail'), (e: unknown) => e);
  assert.ok(err instanceof TrainerJobError, String(err));
  assert.equal(err.exitCode, 2);
  assert.match(err.message, /job\.epochs/);
  assert.match(err.message, /job\.lr: unknown field/);
  writeFileSync(jobFile, '{ not json');
  const err2 = await runTrainer({ jobFile }).then(() => assert.fail('should fail'), (e: unknown) => e);
  assert.ok(err2 instanceof TrainerJobError);
  assert.match(err2.message, /not valid JSON/);
});

test('student and teacher with different class counts are refused', { skip, timeout: 60_000 }, async () => {
  const dir = tempDir('ncmismatch');
  const student = tinyModel(dir, { nc: 3, name: 's.onnx' });
  const teacher = tinyModel(dir, { nc: 4, name: 't.onnx' });
  const jobFile = await writeTrainerJob(path.join(dir, 'job.json'), tinyJob(dir, student, { mode: 'finetune', teacher }));
  const err = await runTrainer({ jobFile }).then(() => assert.fail('should fail'), (e: unknown) => e);
  assert.ok(err instanceof TrainerInputError, String(err));
  assert.equal(err.code, 'CLASS_COUNT_MISMATCH');
  assert.equal(err.exitCode, 3);
});

test('a dataset with no usable images is refused', { skip, timeout: 60_000 }, async () => {
  const dir = tempDir('empty');
  const model = tinyModel(dir);
  const jobFile = await writeTrainerJob(path.join(dir, 'job.json'), tinyJob(dir, model, { data: { format: 'images', images: dir } }));
  const err = await runTrainer({ jobFile }).then(() => assert.fail('should fail'), (e: unknown) => e);
  assert.ok(err instanceof TrainerInputError, String(err));
  assert.equal(err.code, 'DATASET_EMPTY');
});

test("another model's checkpoint is an error, never a silent restart", { skip, timeout: 120_000 }, async () => {
  const dir = tempDir('otherckpt');
  const a = tinyModel(dir, { seed: 1, name: 'a.onnx' });
  const b = tinyModel(dir, { seed: 2, name: 'b.onnx' });
  const doneA = await runTrainer({ jobFile: await writeTrainerJob(path.join(dir, 'a.json'), tinyJob(dir, a, { epochs: 1 })) });
  const jobB = tinyJob(dir, b, { epochs: 2, out: path.join(dir, 'out-b') });
  const events: TrainerEvent[] = [];
  const err = await runTrainer({ jobFile: await writeTrainerJob(path.join(dir, 'b.json'), jobB), resume: doneA.checkpoint!, onEvent: (e) => events.push(e) }).then(
    () => assert.fail('should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TrainerInputError, String(err));
  assert.equal(err.code, 'CHECKPOINT_MISMATCH');
  assert.equal(progressOf(events).length, 0, 'no training step ran');
});

test('label-free CWD fine-tune of a narrower student through 1x1 adapters', { skip, timeout: 120_000 }, async () => {
  const dir = tempDir('cwd');
  const teacher = tinyModel(dir, { width: 0.25, name: 't.onnx' });
  const student = tinyModel(dir, { width: 0.125, name: 's.onnx', seed: 3 });
  const job = tinyJob(dir, student, { mode: 'finetune', teacher, labels: false, epochs: 10, data: { format: 'images', images: path.join(bccdRoot, 'JPEGImages'), limit: 4 } });
  const events: TrainerEvent[] = [];
  await runTrainer({ jobFile: await writeTrainerJob(path.join(dir, 'job.json'), job), onEvent: (e) => events.push(e) });
  const start = events.find((e) => e.event === 'start') as { adapters?: unknown; losses?: unknown };
  assert.deepEqual(start.adapters, [[32, 64], [64, 128], [128, 256]]);
  // Neck CWD stops before the head's last convolutions: without labels the teacher's outputs train them.
  assert.deepEqual(start.losses, ['cwd', 'output'], 'output distillation is on by default without labels');
  const cwd = progressOf(events).map((e) => e.loss.cwd!);
  assert.equal(progressOf(events)[0]!.loss.box, undefined, 'no detection loss without labels');
  assert.ok(cwd.at(-1)! < cwd[0]!, `CWD falls: ${cwd[0]} -> ${cwd.at(-1)}`);
  const output = progressOf(events).map((e) => e.loss.output!);
  assert.ok(output.at(-1)! < output[0]!, `output distillation falls: ${output[0]} -> ${output.at(-1)}`);

  const off = tinyJob(dir, student, {
    mode: 'finetune',
    teacher,
    labels: false,
    max_steps: 1,
    data: { format: 'images', images: path.join(bccdRoot, 'JPEGImages'), limit: 4 },
    out: path.join(dir, 'out-off'),
    output_distill: { weight: 0 },
  });
  const offEvents: TrainerEvent[] = [];
  await runTrainer({ jobFile: await writeTrainerJob(path.join(dir, 'job-off.json'), off), onEvent: (e) => offEvents.push(e) });
  const offStart = offEvents.find((e) => e.event === 'start') as { losses?: unknown };
  assert.deepEqual(offStart.losses, ['cwd'], 'an explicit weight 0 keeps it off');
});

test('CWD on the head maps too; without augmentation the teacher runs once per image and is cached', { skip, timeout: 120_000 }, async () => {
  const dir = tempDir('cwd-head');
  const teacher = tinyModel(dir, { width: 0.25, name: 't.onnx' });
  const student = tinyModel(dir, { width: 0.125, name: 's.onnx', seed: 3 });
  const data = { format: 'images' as const, images: path.join(bccdRoot, 'JPEGImages'), limit: 4 };
  const run = async (augment: boolean) => {
    const job = tinyJob(dir, student, {
      mode: 'finetune',
      teacher,
      labels: false,
      epochs: 6,
      data,
      out: path.join(dir, `out-${augment}`),
      augment: { enabled: augment },
      cwd: { head_weight: 1 },
    });
    const events: TrainerEvent[] = [];
    const done = await runTrainer({ jobFile: await writeTrainerJob(path.join(dir, `job-${augment}.json`), job), onEvent: (e) => events.push(e) });
    return { done, events };
  };
  const fixed = await run(false);
  const head = progressOf(fixed.events).map((e) => e.loss.cwd_head!);
  assert.ok(head.every((v) => Number.isFinite(v) && v > 0), 'the head term is on');
  assert.ok(head.at(-1)! < head[0]!, `head CWD falls: ${head[0]} -> ${head.at(-1)}`);
  // 4 images in one batch, 6 epochs: one teacher pass, then its cached outputs.
  assert.equal(fixed.done.teacher_forwards, 1);
  const augmented = await run(true);
  assert.equal(augmented.done.teacher_forwards, 6, 'augmented images never repeat: no cache');
});
