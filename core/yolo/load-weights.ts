import type { Model, Tensor } from '../onnx/model';

export interface LoadWeightsReport {
  /** Initializers copied from the source. */
  readonly loaded: readonly string[];
  /** Float initializers of the target the source does not have. */
  readonly missing: readonly string[];
  /** Same name, different shape: left as they were. */
  readonly shapeMismatch: readonly {
    readonly name: string;
    readonly target: readonly number[];
    readonly source: readonly number[];
  }[];
}

const sameDims = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Copies the source's initializers into the target wherever name and shape agree (ultralytics parameter
 * names: `model.2.cv1.conv.weight`, `model.2.cv1.bn.running_var`, ...). The target's storage type is kept.
 * A deploy-form source fills convs of a deploy-form target; a train-form source fills a train-form target.
 */
export function loadWeightsByName(target: Model, source: Model): { model: Model; report: LoadWeightsReport } {
  const loaded: string[] = [];
  const missing: string[] = [];
  const shapeMismatch: { name: string; target: readonly number[]; source: readonly number[] }[] = [];
  const initializers = new Map<string, Tensor>();
  for (const [name, t] of target.graph.initializers) {
    const s = source.graph.initializers.get(name);
    const isFloat = t.data instanceof Float32Array;
    if (!s || !(s.data instanceof Float32Array) || !isFloat) {
      if (isFloat && !s) missing.push(name);
      initializers.set(name, t);
    } else if (!sameDims(s.dims, t.dims)) {
      shapeMismatch.push({ name, target: t.dims, source: s.dims });
      initializers.set(name, t);
    } else {
      initializers.set(name, { ...t, data: Float32Array.from(s.data) });
      loaded.push(name);
    }
  }
  return {
    model: { ...target, graph: { ...target.graph, initializers } },
    report: { loaded, missing, shapeMismatch },
  };
}
