import { describeRunActivity, queryProgress, type startCompression } from '../clients';
import type { CompressModelResult } from '../common/compress-result';
import { progressLine } from './progress-line';

/**
 * Waits for the run's result, redrawing one progress line on stderr while it runs (when `show`): the stage
 * from the `progress` query, and what runs inside the stage (epoch, step, loss and ETA of a fine-tune, a
 * search's episodes, a scan's points) from the run's pending activities and children.
 */
export async function waitWithProgress(
  handle: Awaited<ReturnType<typeof startCompression>>,
  show: boolean,
): Promise<CompressModelResult> {
  let last = '';
  let polling = false;
  let ended = false;
  const redraw = async () => {
    if (polling) return; // a slow poll is not stacked on
    polling = true;
    try {
      const [progress, run] = await Promise.all([
        queryProgress(handle),
        describeRunActivity(handle.client, handle.workflowId).catch(() => undefined),
      ]);
      // A line wider than the terminal would wrap, and `\r` would redraw only its last row.
      const width = process.stderr.isTTY ? process.stderr.columns - 1 : Infinity;
      const line = progressLine(progress, run).slice(0, width);
      if (!ended && line !== last) process.stderr.write(`\r${line.padEnd(last.length)}`);
      last = line;
    } catch {
      // The run is between workers or closing: the next tick tries again.
    } finally {
      polling = false;
    }
  };
  const timer = show ? setInterval(() => void redraw(), 1000) : undefined;
  try {
    return await handle.result();
  } finally {
    ended = true;
    clearInterval(timer);
    if (last) process.stderr.write('\n');
  }
}
