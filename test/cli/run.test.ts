import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inputFromFlags, parseRunFlags } from '../../cli/commands/run';
import { checkLocalSplits, splitLines } from '../../cli/commands/run-splits';
import { compressModelInputSchema } from '../../common/compress-input';
import { choosesOnSelection } from '../../common/selection-use';
import { stderrUploadReporter } from '../../cli/commands/upload-progress';
import { loadConfig } from '../../runtime/config';
import type { ArtifactStore } from '../../runtime/artifacts';
import { uploadDatasetFolder } from '../../runtime/artifacts';
import { BCCD_YOLO_NAMES, miniBccdYolo } from '../support/bccd-layouts';
import { inProcess } from '../support/cli-in-process';

/**
 * `run` checks every flag before it uploads or connects. S3 and Temporal point at listeners that count
 * connections: a check that came after an upload or a connection would show up there (and fail differently).
 */
describe('stageprune run: flags are checked before anything is uploaded', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-run-'));
  const model = path.join(dir, 'm.onnx');
  const data = path.join(dir, 'data');
  const listeners: net.Server[] = [];
  let connections = 0;
  const saved = {
    STAGEPRUNE_S3_ENDPOINT: process.env.STAGEPRUNE_S3_ENDPOINT,
    STAGEPRUNE_TEMPORAL_ADDRESS: process.env.STAGEPRUNE_TEMPORAL_ADDRESS,
  };

  async function countingListener(): Promise<number> {
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    listeners.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  }

  before(async () => {
    fs.writeFileSync(model, 'not read before the checks pass');
    fs.mkdirSync(path.join(data, 'JPEGImages'), { recursive: true });
    fs.writeFileSync(path.join(data, 'JPEGImages', 'a.jpg'), 'x');
    process.env.STAGEPRUNE_S3_ENDPOINT = `http://127.0.0.1:${await countingListener()}`;
    process.env.STAGEPRUNE_TEMPORAL_ADDRESS = `127.0.0.1:${await countingListener()}`;
  });
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const s of listeners) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One stderr line, naming the flag, exit 1, nothing sent anywhere. */
  async function rejected(flag: string, ...args: string[]): Promise<string> {
    const r = await inProcess('run', ...args);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.ok(lines[0]!.startsWith(`stageprune run: CLI_USAGE: ${flag}: `), lines[0]);
    assert.equal(lines[0]!.split(flag).length - 1, 1, `the flag is named once: ${lines[0]}`);
    assert.equal(connections, 0, 'nothing may reach S3 or Temporal before the flags are checked');
    return lines[0]!;
  }

  test('an unknown --criterion names the criteria the workflow accepts', async () => {
    const line = await rejected('--criterion', '--model', model, '--data', data, '--criterion', 'nonsense');
    assert.match(line, /l1, l2, bn-gamma, fpgm, random, hrank, nisp, taylor/);
  });

  test('a missing --model', async () => {
    const line = await rejected('--model', '--data', data);
    assert.match(line, /required/);
  });

  test('a --data folder that does not exist', async () => {
    const line = await rejected('--data', '--model', model, '--data', path.join(dir, 'nope'));
    assert.match(line, /nope is not a folder/);
  });

  test("a value only the workflow's schema rejects names its flag (--epochs above the schema's 1000)", async () => {
    await rejected('--epochs', '--model', model, '--data', data, '--epochs', '5000');
  });

  test('an S3 URI the schema rejects', async () => {
    await rejected('--data', '--model', model, '--data', 's3://');
  });

  test('--episodes belongs to --planner amc, within the schema’s bound', async () => {
    const line = await rejected('--episodes', '--model', model, '--data', data, '--episodes', '40');
    assert.match(line, /only the amc planner runs episodes/);
    await rejected('--episodes', '--model', model, '--data', data, '--planner', 'amc', '--episodes', '9000');
  });

  test('--lr0 reaches the fine-tune options; unset, the trainer keeps its own; a non-positive one is refused', async () => {
    const cfg = { model: 's3://b/m.onnx', data: 's3://b/d/' };
    const base = ['--model', model, '--data', data];
    assert.equal(
      inputFromFlags(parseRunFlags([...base, '--lr0', '0.002']), cfg, loadConfig()).finetune?.lr0,
      0.002,
    );
    assert.equal(inputFromFlags(parseRunFlags(base), cfg, loadConfig()).finetune?.lr0, undefined);
    await rejected('--lr0', ...base, '--lr0', '0');
  });

  /** The workflow input `run` builds from these flags (after --model and --data), before any upload. */
  const inputWith = (...flags: string[]) =>
    inputFromFlags(
      parseRunFlags(['--model', model, '--data', data, ...flags]),
      { model: 's3://b/m.onnx', data: 's3://b/d/' },
      loadConfig(),
    );

  test('--warmup-bias-lr reaches the fine-tune options; unset, the trainer keeps its own; a negative one is refused', async () => {
    assert.equal(inputWith('--warmup-bias-lr', '0').finetune?.warmupBiasLr, 0);
    assert.equal(inputWith().finetune?.warmupBiasLr, undefined);
    await rejected('--warmup-bias-lr', '--model', model, '--data', data, '--warmup-bias-lr=-1');
  });

  test('--quantize int8 adds the INT8 stage with its observer and budget; a run that quantizes chooses on selection', async () => {
    assert.deepEqual(
      inputWith('--quantize', 'int8', '--quant-observer', 'entropy', '--quant-max-drop', '1').quantize,
      {
        format: 'int8',
        observer: 'entropy',
        maxDropPoints: 1,
      },
    );
    assert.equal(inputWith().quantize, undefined);
    const inS3 = { model: 's3://bucket/m.onnx', data: 's3://bucket/d/' };
    const parsed = compressModelInputSchema.parse({ ...inputWith('--quantize', 'int8'), ...inS3 });
    assert.deepEqual(parsed.quantize, {
      format: 'int8',
      observer: 'minmax',
      activations: 'uint8',
      maxDropPoints: 0.5,
      calibrationImages: 64,
    });
    assert.equal(
      choosesOnSelection(parsed),
      true,
      'calibration and its accuracy control read the selection split',
    );
    assert.equal(choosesOnSelection(compressModelInputSchema.parse({ ...inputWith(), ...inS3 })), false);
    await rejected('--quantize', '--model', model, '--data', data, '--quantize', 'int4');
    await rejected(
      '--quant-max-drop',
      '--model',
      model,
      '--data',
      data,
      '--quantize',
      'int8',
      '--quant-max-drop=-1',
    );
  });

  test('--output-weight reaches the fine-tune options; unset, the trainer chooses by --no-labels', async () => {
    assert.equal(inputWith('--no-labels', '--output-weight', '20').finetune?.outputWeight, 20);
    assert.equal(inputWith('--no-labels').finetune?.outputWeight, undefined);
    await rejected('--output-weight', '--model', model, '--data', data, '--output-weight', 'x');
  });

  test('--planner-options: a JSON object of the planner’s own options, each checked by its schema', async () => {
    const na = ['--model', model, '--data', data, '--planner', 'netadapt', '--latency-reduction', '0.4'];
    assert.match(
      await rejected('--planner-options', ...na, '--planner-options', '{"proposal":4}'),
      /proposal is not an option of the netadapt planner/,
    );
    assert.match(
      await rejected('--planner-options', ...na, '--planner-options', '{"proposals":0}'),
      /--planner-options: proposals: /,
    );
    assert.match(
      await rejected('--planner-options', ...na, '--planner-options', '[4]'),
      /expected a JSON object/,
    );
    assert.match(
      await rejected('--planner-options', ...na, '--planner-options', '{"kind":"amc"}'),
      /without kind/,
    );
    const flags = parseRunFlags([...na, '--planner-options', '{"proposals":4,"finetuneSteps":10}']);
    const input = inputFromFlags(flags, { model: 's3://b/m.onnx', data: 's3://b/d/' }, loadConfig());
    assert.deepEqual(input.planner, {
      kind: 'netadapt',
      latencyReduction: 0.4,
      proposals: 4,
      finetuneSteps: 10,
    });
    // The sensitivity planner's stage bounds, for targets beyond the review's safe ones.
    const sens = parseRunFlags([
      ...['--model', model, '--data', data, '--planner', 'sensitivity', '--target-flops', '0.7'],
      ...['--planner-options', '{"stageBounds":{"backbone":0.7,"neck":0.7,"head":0.6}}'],
    ]);
    const sensInput = inputFromFlags(sens, { model: 's3://b/m.onnx', data: 's3://b/d/' }, loadConfig());
    assert.deepEqual(sensInput.planner, {
      kind: 'sensitivity',
      stageBounds: { backbone: 0.7, neck: 0.7, head: 0.6 },
    });
    assert.match(
      await rejected(
        '--planner-options',
        ...['--model', model, '--data', data, '--planner', 'sensitivity'],
        ...['--planner-options', '{"stageBounds":{"backbone":1.2,"neck":0.3,"head":0.1}}'],
      ),
      /--planner-options: stageBounds/,
    );
  });

  test('a Roboflow export (train/ and valid/, no test): the splits resolve from the folders and say so; a split it lacks fails in one line', async () => {
    const export_ = miniBccdYolo(path.join(dir, 'roboflow'), 4, BCCD_YOLO_NAMES, 'roboflow').root;
    const optionsFor = (...flags: string[]) =>
      compressModelInputSchema.parse(
        inputFromFlags(
          parseRunFlags(['--model', model, '--data', export_, ...flags]),
          { model: 's3://test/m.onnx', data: 's3://test/d/' },
          loadConfig(),
        ),
      );
    // A staged run chooses on no images: evaluation reads val (as ultralytics' val), the fine-tune all of train.
    assert.deepEqual(splitLines(await checkLocalSplits(export_, optionsFor())), [
      'selection split: none (no stage chooses on it)',
      'finetune split: train (evaluation reads val)',
      "evaluation split: val (the data set has no test split: val, as ultralytics' val reads it)",
    ]);
    // A sensitivity run holds its selection images out of train, not of the evaluation split.
    const sensitivity = await checkLocalSplits(export_, optionsFor('--planner', 'sensitivity'));
    assert.deepEqual(sensitivity.selection, { of: 'train', holdOut: 64, seed: 0, part: 'held' });
    const line = await rejected('--data', '--model', model, '--data', export_, '--splits', 'evaluation=test');
    assert.match(
      line,
      /the evaluation split \(test\) cannot be read .*split 'test' not found.*the data set has train, val/,
    );
  });

  test('a data.yaml that points val at another role’s folder (Hard Hat’s selection): the fine-tune defaults to train, and naming trainval is refused', async () => {
    const root = miniBccdYolo(path.join(dir, 'hardhat-like'), 4).root;
    for (const kind of ['images', 'labels'])
      fs.renameSync(path.join(root, kind, 'val'), path.join(root, kind, 'selection'));
    fs.writeFileSync(
      path.join(root, 'data.yaml'),
      'path: .\ntrain: images/train\nval: images/selection\ntest: images/test\nnames: [RBC, WBC, Platelets]\n',
    );
    const options = (...flags: string[]) =>
      compressModelInputSchema.parse(
        inputFromFlags(
          parseRunFlags(['--model', model, '--data', root, ...flags]),
          { model: 's3://test/m.onnx', data: 's3://test/d/' },
          loadConfig(),
        ),
      );
    assert.deepEqual(splitLines(await checkLocalSplits(root, options())), [
      'selection split: none (no stage chooses on it)',
      'finetune split: train (the data set has no val split)',
      'evaluation split: test',
    ]);
    const sensitivity = await checkLocalSplits(root, options('--planner', 'sensitivity'));
    assert.equal(sensitivity.selection, 'selection');
    const line = await rejected(
      '--splits',
      ...['--model', model, '--data', root, '--planner', 'sensitivity', '--splits', 'finetune=trainval'],
    );
    assert.match(
      line,
      /the selection split \(selection\) and the finetune split \(trainval\) both read images\/selection/,
    );
  });
});

/** An in-memory store: enough of ArtifactStore for uploadDatasetFolder. */
function memoryStore(): ArtifactStore & { objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>();
  return {
    bucket: 'mem',
    objects,
    async putObject(key: string, bytes: Uint8Array) {
      objects.set(key, bytes);
    },
    async putJson(key: string, value: unknown) {
      objects.set(key, new TextEncoder().encode(JSON.stringify(value)));
    },
    async getJson(key: string) {
      const b = objects.get(key);
      if (!b) throw new Error(`missing ${key}`);
      return JSON.parse(new TextDecoder().decode(b)) as unknown;
    },
  } as unknown as ArtifactStore & { objects: Map<string, Uint8Array> };
}

describe('upload progress', () => {
  test('a dataset upload reports its size, a line every 10% of the files, then "already uploaded" the second time', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-upload-'));
    try {
      for (let i = 0; i < 50; i++)
        fs.writeFileSync(path.join(dir, `f${String(i).padStart(2, '0')}.txt`), 'ab');
      const store = memoryStore();
      const lines: string[] = [];
      const report = stderrUploadReporter({ tty: false, line: (t) => lines.push(t) });
      const uri = await uploadDatasetFolder(store, dir, report.dataset(dir));
      assert.equal(lines[0], `dataset: uploading 50 files (100 B) from ${dir}`);
      const counts = lines.slice(1);
      assert.equal(counts.length, 11, counts.join('\n'));
      assert.equal(counts.at(-1), 'dataset: 50/50 files (100%)');
      assert.equal(store.objects.size, 51);

      lines.length = 0;
      assert.equal(await uploadDatasetFolder(store, dir, report.dataset(dir)), uri);
      assert.deepEqual(lines, [`dataset: ${dir} already uploaded (50 files): ${uri}`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('on a terminal the count is one line, rewritten at most every interval and finished at 100%', () => {
    let t = 0;
    const out: string[] = [];
    const report = stderrUploadReporter({
      tty: true,
      write: (s) => out.push(s),
      intervalMs: 100,
      now: () => t,
    });
    const events = report.dataset('d');
    for (let done = 1; done <= 1000; done++) {
      t += 1;
      events.onFile?.(done, 1000);
    }
    assert.ok(out.length >= 10 && out.length <= 12, `${out.length} writes`);
    assert.ok(out.every((s) => s.startsWith('\r')));
    assert.equal(out.at(-1), '\rdataset: 1000/1000 files (100%)\n');
  });
});
