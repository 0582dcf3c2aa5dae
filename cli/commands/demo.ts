import { reportHtmlUri } from '../../common/report-location';
import path from 'node:path';
import { z } from 'zod';
import { connectClient, startCompression } from '../../clients';
import type { CompressModelInput } from '../../common/compress-input';
import { DEFAULT_STAGES } from '../../core/pruning/plan/parse-plan';
import { LocalStack, stackOptionsFromConfig } from '../../infra/stack';
import { loadConfig } from '../../runtime/config';
import { bccdRoot } from '../../runtime/datasets';
import { repoRoot, stateDir } from '../../runtime/paths';
import { createStagepruneWorker } from '../../workers/create-worker';
import { installWorkerRuntime } from '../../workers/runtime-logging';
import { parseFlags } from '../args';
import type { CliCommand } from '../command';
import { printRunFailure } from '../run-failure';
import { runUiUrl } from '../run-ui-url';
import { waitWithProgress } from '../wait-with-progress';
import { resolveInputs, resultTable } from './run';
import { stderrUploadReporter } from './upload-progress';

const flagsSchema = z.object({ json: z.boolean().default(false), verbose: z.boolean().default(false) });

/** Where the demo's in-process workers log (the core SDK, the workers, the activities). */
export const demoLogFile = () => path.join(stateDir, 'logs', 'demo-workers.log');

/** The BCCD base model (docs/TRAINING.md): yolov8n nc=3, 416 px, test mAP50 0.899. */
export const BASE_MODEL = path.join(repoRoot, 'models', 'yolov8n-bccd.onnx');

/** Small budgets so the whole pipeline runs in minutes on a laptop CPU. */
export function demoInput(model: string, data: string): CompressModelInput {
  return {
    model,
    data,
    modelName: 'yolov8n-bccd',
    planner: { kind: 'staged', stages: { ...DEFAULT_STAGES } },
    criterion: 'l1',
    splits: { finetune: 'trainval', evaluation: 'test' },
    finetune: { epochs: 5, batch: 16, device: 'cpu', checkpointEvery: 20 },
    evaluation: { provider: 'cpu', latencyRuns: 10 },
  };
}

/**
 * The end-to-end demo: compressModel on the BCCD base model with small budgets. It starts the local stack
 * when it is not running and a cpu and a gpu worker in this process, then prints the before/after table.
 */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'run compressModel end to end on the BCCD base model (starts the stack and workers)',
  usage: [
    'usage: stageprune demo [--json] [--verbose]',
    '',
    'Starts the local stack if it is not running, uploads the BCCD base model and data set, runs compressModel',
    'with small budgets on an in-process cpu and gpu worker and prints the before/after table (--json: one line',
    '{"run_id", "before", "after"}). STAGEPRUNE_DEMO_MODEL and STAGEPRUNE_BCCD replace the model and the data.',
    "The terminal shows progress and results; the workers' logs go to .stageprune/logs/demo-workers.log",
    '(--verbose: to stderr as well). A failed run prints its root cause in one line and exits 1.',
  ].join('\n'),
  async run(args) {
    const { flags } = parseFlags(
      args,
      { json: { type: 'boolean' }, verbose: { type: 'boolean' } },
      flagsSchema,
    );
    const log = (line: string) => console.error(line);
    const config = loadConfig();
    const status = await new LocalStack(stackOptionsFromConfig(config)).up();
    log(
      `stack: temporal ${status.temporal.state} (UI ${status.temporal.ui}), s3 ${status.s3.state} (${status.s3.address})`,
    );

    // STAGEPRUNE_DEMO_MODEL, like STAGEPRUNE_BCCD for the data, swaps in a smaller model (smoke tests, CI).
    const model = process.env.STAGEPRUNE_DEMO_MODEL ?? BASE_MODEL;
    const uris = await resolveInputs(model, bccdRoot(), stderrUploadReporter());
    const logFile = demoLogFile();
    await installWorkerRuntime({ level: 'INFO', file: logFile, stderr: flags.verbose });
    log(`worker logs: ${logFile}`);
    const cpu = await createStagepruneWorker({ config, taskQueue: config.taskQueues.cpu });
    const gpu = await createStagepruneWorker({
      config,
      taskQueue: config.taskQueues.gpu,
      maxConcurrentActivities: 1,
    });
    const { client, close } = await connectClient(config);
    try {
      // startCompression sends training and evaluation to the configured gpu queue, where `gpu` polls.
      const handle = await startCompression(client, demoInput(uris.model, uris.data), {
        taskQueue: config.taskQueues.cpu,
        config,
      });
      log(
        `compressModel ${handle.workflowId}: ${status.temporal.ui}/namespaces/${config.temporal.namespace}/workflows/${handle.workflowId}`,
      );
      const run = waitWithProgress(handle, !flags.json);
      let result;
      try {
        result = await gpu.worker.runUntil(cpu.worker.runUntil(run));
      } catch (err) {
        return printRunFailure(err, handle.workflowId, runUiUrl(config, handle.workflowId), flags);
      }
      if (flags.json)
        console.log(JSON.stringify({ run_id: result.runId, before: result.before, after: result.after }));
      else {
        console.log(resultTable(result));
        console.log(
          `report: ${reportHtmlUri(config.s3.bucket, result.runId)} (stageprune report ${result.runId})`,
        );
      }
      return 0;
    } finally {
      await close();
      await cpu.close();
      await gpu.close();
    }
  },
};
