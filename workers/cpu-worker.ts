// Entry point of the stageprune-cpu worker: graph work, planning, sensitivity-scan pruning.
import { avoidExitDeadlock } from '../common/exit-deadlock.cjs';
import { runWorker } from './run-worker';

avoidExitDeadlock();

runWorker('cpu', 4).catch((err) => {
  console.error(err);
  process.exit(1);
});
