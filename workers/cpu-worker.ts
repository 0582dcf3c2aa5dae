// Entry point of the stageprune-cpu worker: graph work, planning, sensitivity-scan pruning.
import { runWorker } from './run-worker';

runWorker('cpu', 4).catch((err) => {
  console.error(err);
  process.exit(1);
});
