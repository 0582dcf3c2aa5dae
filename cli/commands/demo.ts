import { z } from 'zod';
import { connectClient } from '../../clients';
import { LocalStack, stackOptionsFromConfig } from '../../infra/stack';
import { loadConfig } from '../../runtime/config';
import { createStagepruneWorker } from '../../workers/create-worker';
import { installWorkerRuntime } from '../../workers/runtime-logging';
import { pingPipeline } from '../../workflows';
import { parseFlags } from '../args';
import type { CliCommand } from '../command';

const flagsSchema = z.object({ json: z.boolean().default(false) });

/**
 * The end-to-end demo. It starts the local stack when it is not running, and a cpu worker in this process
 * when none is polling, then runs the pipeline through Temporal. (Today: pingPipeline, the S3 round trip.)
 */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'run the pipeline end to end on the local stack (starts what is missing)',
  usage: 'usage: stageprune demo [--json]',
  async run(args) {
    const { flags } = parseFlags(args, { json: { type: 'boolean' } }, flagsSchema);
    const log = (line: string) => (flags.json ? undefined : console.error(line));
    const config = loadConfig();
    const stack = new LocalStack(stackOptionsFromConfig(config));
    const status = await stack.up();
    log(
      `stack: temporal ${status.temporal.state} (${status.temporal.ui}), s3 ${status.s3.state} (${status.s3.address})`,
    );

    await installWorkerRuntime('WARN');
    const taskQueue = config.taskQueues.cpu;
    const { worker, close: closeWorker } = await createStagepruneWorker({ config, taskQueue });
    const { client, close: closeClient } = await connectClient(config);
    try {
      const workflowId = `demo-ping-${Date.now()}`;
      log(`starting pingPipeline ${workflowId} on ${taskQueue}`);
      const result = await worker.runUntil(
        client.workflow.execute(pingPipeline, { taskQueue, workflowId, args: [{ cpuTaskQueue: taskQueue }] }),
      );
      if (flags.json) console.log(JSON.stringify({ run_id: workflowId, ...result }));
      else {
        console.log(`pingPipeline ${workflowId}: round trip ${result.roundTripOk ? 'ok' : 'FAILED'}`);
        console.log(`artifact s3://${result.ref.bucket}/${result.ref.key} (${result.ref.size} bytes)`);
        console.log(
          `history: ${status.temporal.ui}/namespaces/${config.temporal.namespace}/workflows/${workflowId}`,
        );
      }
      return result.roundTripOk ? 0 : 1;
    } finally {
      await closeClient();
      await closeWorker();
    }
  },
};
