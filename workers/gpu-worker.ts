// Entry point of the stageprune-gpu worker: training, evaluation and latency. One activity at a time by
// default, since each owns the accelerator.
import { cudaProviderState, describeCudaState } from '../runtime/cuda';
import { runWorker } from './run-worker';

// Once, at start: whether runs asking for `evaluation.provider: "cuda"` can have it on this machine. They are
// never moved to the cpu: where the provider is unusable they fail with EP_UNAVAILABLE naming what is missing.
const cuda = cudaProviderState();
console.log(
  `stageprune gpu worker: cuda ${cuda.kind === 'ready' ? 'available' : 'unavailable'}: ${describeCudaState(cuda)}`,
);

runWorker('gpu', 1).catch((err) => {
  console.error(err);
  process.exit(1);
});
