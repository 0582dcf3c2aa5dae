import type { ArtifactRef } from '../../common/artifact-ref';
import type { FinetuneLoss } from '../../core/report/finetune-loss';
import type { TrainerEvent } from '../../runtime/trainer-process';
import type { PipelineDeps } from './context';

/**
 * Collects the trainer's `progress` lines (step, epoch, mean loss per term) for the report's loss curves and
 * stores them as one small JSON artifact. Only this attempt's lines: a retried fine-tune that resumed from a
 * checkpoint starts its series there (`resumed_from_step` says so).
 */
export class LossSeriesRecorder {
  private readonly points: FinetuneLoss['points'] = [];
  private startStep = 0;

  record(event: TrainerEvent): void {
    if (event.event === 'start') this.startStep = event.start_step;
    if (event.event !== 'progress') return;
    const loss: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(event.loss)) loss[k] = v !== null && Number.isFinite(v) ? v : null;
    this.points.push({ step: event.step, epoch: event.epoch, loss });
  }

  /**
   * The stored series, or undefined when storing failed: the curves are worth less than the trained model,
   * so a store error here is logged and never fails (and so retrains) the fine-tune.
   */
  async store(deps: PipelineDeps, warn: (message: string) => void): Promise<ArtifactRef | undefined> {
    const series: FinetuneLoss = { version: 1, resumed_from_step: this.startStep, points: this.points };
    try {
      return await deps.store.put(new TextEncoder().encode(JSON.stringify(series)), {
        contentType: 'application/json',
      });
    } catch (err) {
      warn(`fine-tune loss series not stored: ${String(err)}`);
      return undefined;
    }
  }
}
