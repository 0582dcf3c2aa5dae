import { z } from 'zod';
import type { PendingActivity, RunNode } from '../clients/run-activity';
import type { CompressProgress } from '../common/compress-result';

// Heartbeat details and query answers come from workers: parsed, never trusted to have a shape.
const trainingSchema = z.object({
  step: z.number(),
  steps: z.number(),
  epoch: z.number().optional(),
  epochs: z.number().optional(),
  loss: z.number().optional(),
  etaSeconds: z.number().optional(),
});
const fanOutSchema = z.object({ done: z.number(), total: z.number() });
const amcSchema = z.object({ episodesDone: z.number(), episodes: z.number() });

/** 42 → "42s", 680 → "11m20s", 3720 → "1h02m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One pending activity in words: a training's epoch, step, loss and ETA; a measurement's count; its name. */
function activityWords(a: PendingActivity): string {
  const retry = a.attempt > 1 ? ` (attempt ${a.attempt})` : '';
  const training = trainingSchema.safeParse(a.details);
  if (training.success && training.data.steps > 0) {
    const t = training.data;
    return [
      ...(t.epoch !== undefined && t.epochs ? [`epoch ${t.epoch.toFixed(1)}/${t.epochs}`] : []),
      `step ${t.step}/${t.steps}`,
      ...(t.loss !== undefined ? [`loss ${t.loss.toFixed(3)}`] : []),
      ...(t.etaSeconds !== undefined ? [`ETA ${formatDuration(t.etaSeconds)}`] : []),
    ]
      .join(' · ')
      .concat(retry);
  }
  const count = fanOutSchema.safeParse(a.details);
  if (count.success) return `${a.type} ${count.data.done}/${count.data.total}${retry}`;
  return `${a.type}${retry}`;
}

/** A child's own progress (AMC episodes, scan points) in words. */
function nodeWords(node: RunNode): string | undefined {
  const amc = amcSchema.safeParse(node.progress);
  if (amc.success) return `AMC episode ${amc.data.episodesDone}/${amc.data.episodes}`;
  const scan = fanOutSchema.safeParse(node.progress);
  // total is 0 until the scan has listed its units
  if (scan.success && scan.data.total > 0) return `scan ${scan.data.done}/${scan.data.total} points`;
  return undefined;
}

function flatten(node: RunNode): RunNode[] {
  return [node, ...node.children.flatMap(flatten)];
}

/**
 * What a run is doing inside its stage, outermost first: each child's own progress, then the activities
 * running now (several of one kind, e.g. a scan's fan-out, counted once). Undefined when nothing is pending.
 */
export function activityDetail(run: RunNode): string | undefined {
  const nodes = flatten(run);
  const parts = nodes.map(nodeWords).filter((w): w is string => w !== undefined);
  const counts = new Map<string, number>();
  for (const a of nodes.flatMap((n) => n.activities)) {
    const words = activityWords(a);
    counts.set(words, (counts.get(words) ?? 0) + 1);
  }
  for (const [words, n] of counts) parts.push(n > 1 ? `${words} ×${n}` : words);
  return parts.length ? parts.join(' · ') : undefined;
}

/** The progress bar the CLI redraws: the workflow's stage, then what it is doing inside that stage. */
export function progressLine(p: CompressProgress, run?: RunNode): string {
  const width = 30;
  const filled = Math.round((p.percent / 100) * width);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(p.percent).padStart(3)}% ${p.stage}: ${p.message}`;
  const detail = run ? activityDetail(run) : undefined;
  return detail ? `${line} · ${detail}` : line;
}
