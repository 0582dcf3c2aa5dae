// A stand-in worker process for test/workers/process-guard.test.ts: an activity that leaves a rejected
// promise and a throwing timer behind, as the unawaited checkpoint upload of issue 17 did, then (with
// --outside) an error that belongs to no activity. With --guard the worker's process guard is installed.
import { MockActivityEnvironment } from '@temporalio/testing';
import { installProcessGuard } from '../../workers/process-guard';

async function main(): Promise<void> {
  if (process.argv.includes('--guard')) installProcessGuard();
  const env = new MockActivityEnvironment({
    activityType: 'leakyUpload',
    activityId: 'act-17',
    workflowExecution: { workflowId: 'run-17', runId: 'r-17' },
  });
  await env.run(async () => {
    void Promise.reject(new Error('STORE_UNAVAILABLE: stray checkpoint upload'));
    setTimeout(() => {
      throw new Error('stray throw from a timer');
    }, 10);
    return 'done';
  });
  await new Promise((r) => setTimeout(r, 200));
  console.log('worker still alive');
  if (process.argv.includes('--outside')) {
    setTimeout(() => {
      throw new Error('a fault of the worker itself');
    }, 10);
    await new Promise((r) => setTimeout(r, 200));
    console.log('survived an error outside any activity');
  }
}

void main();
