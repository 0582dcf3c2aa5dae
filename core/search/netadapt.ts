// NetAdapt (Yang et al., ECCV 2018), the proposal step: given the current widths of every unit and a latency
// decrement ΔR, each unit proposes the smallest cut (the widest remaining width) whose predicted latency is at
// least ΔR below the current model's. The caller fine-tunes each proposal briefly, keeps the most accurate,
// and repeats with a smaller ΔR until the budget is met. Pure: the latency model is passed in.

export interface LatencyModel {
  /** Predicted latency (ms) of the model with these unit widths (units not named at full width). */
  predict(widths: Readonly<Record<string, number>>): number;
  /** Widths a unit may take, descending, below its full width. */
  widthsOf(unit: string): readonly number[];
}

export interface Proposal {
  unit: string;
  /** The unit's width before and after the cut. */
  from: number;
  to: number;
  predictedMs: number;
  /** Predicted latency saved per channel removed: how efficient the cut is. */
  msPerChannel: number;
}

export interface ProposalOptions {
  /** Keep only the k proposals that save the most latency per channel removed; default all. */
  topK?: number;
  /** Units that may not shrink further (frozen, or at their minimum). */
  exclude?: ReadonlySet<string>;
}

/**
 * One proposal per unit that can meet `currentMs − decrementMs` on its own: the widest width below its
 * current one that does. Sorted by latency saved per channel removed (then by unit name, for determinism).
 */
export function proposeCuts(
  model: LatencyModel,
  current: Readonly<Record<string, number>>,
  decrementMs: number,
  options: ProposalOptions = {},
): Proposal[] {
  const now = model.predict(current);
  const goal = now - decrementMs;
  const out: Proposal[] = [];
  for (const [unit, from] of Object.entries(current)) {
    if (options.exclude?.has(unit)) continue;
    for (const to of model.widthsOf(unit)) {
      if (to >= from) continue;
      const predictedMs = model.predict({ ...current, [unit]: to });
      if (predictedMs <= goal) {
        out.push({ unit, from, to, predictedMs, msPerChannel: (now - predictedMs) / (from - to) });
        break;
      }
    }
  }
  out.sort((a, b) => b.msPerChannel - a.msPerChannel || a.unit.localeCompare(b.unit));
  return options.topK !== undefined ? out.slice(0, options.topK) : out;
}

/**
 * Proposals for `decrementMs`, or, when no unit can save that much on its own (a decrement larger than any one
 * unit's whole latency), for half of it, and so on while the decrement stays at or above `minDecrementMs`
 * (below the measurement's resolution a cut cannot be told from noise). Returns the decrement the proposals
 * meet; no proposals means no unit can lower the latency by `minDecrementMs`.
 */
export function proposeCutsWithin(
  model: LatencyModel,
  current: Readonly<Record<string, number>>,
  decrementMs: number,
  minDecrementMs: number,
  options: ProposalOptions = {},
): { proposals: Proposal[]; decrementMs: number } {
  let d = decrementMs;
  for (;;) {
    const proposals = proposeCuts(model, current, d, options);
    if (proposals.length > 0 || d / 2 < minDecrementMs) return { proposals, decrementMs: d };
    d /= 2;
  }
}

/** NetAdapt's decrement schedule: ΔR_i = ΔR_0 · decay^i, never below `floorMs`. */
export function decrementAt(initialMs: number, decay: number, iteration: number, floorMs = 0): number {
  return Math.max(floorMs, initialMs * decay ** iteration);
}
