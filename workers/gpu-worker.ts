// Entry point of the stageprune-gpu worker: training, evaluation and latency. One activity at a time by
// default, since each owns the accelerator.
import { runWorker } from './run-worker';

runWorker('gpu', 1).catch((err) => {
  console.error(err);
  process.exit(1);
});
