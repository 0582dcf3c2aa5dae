// Parameters and FLOPs as ultralytics reports them (DESIGN §3): parameters are conv weights and biases plus
// BN weight and bias (running statistics excluded); FLOPs are 2 × thop's count, where a conv counts
// output elements × (input channels / groups × k²) (bias not counted), an affine BatchNormalization 4 per
// element (thop: 2 to normalise, ×2 when affine; so 8 after doubling), a MatMul output elements × the shared
// dimension (YOLO11's attention), and every other op 0. For yolov8n at
// 640 this gives 8.8550912 GFLOPs train-form, exactly what ultralytics 8.4 prints (8.9), and 8.7439872 fused.
//
// Two forms: `as-given` counts each node as it stands in the file; `deploy` counts the model as
// `exportDeployForm` ships it, every BatchNormalization that `foldBatchNorm` folds merged into its Conv (no
// BN FLOPs or γ/β; the Conv gains a bias when it had none). Compare a train-form model with a deploy-form one
// only in the deploy form: a train-form yolov8n carries 1.3% more FLOPs for its BN alone.

import type { Dim, Model, Node } from '../onnx/model';
import { metadataValue, defaultOpset } from '../onnx/model';
import { indexGraph } from '../graph/graph-index';
import { inferShapes } from '../graph/shape-inference';
import { foldDecision } from '../export/fold-batch-norm';
import { elementCount, staticDims, type ValueShape } from '../graph/value-shape';
import { moduleIndexOfNode, PARTS, type Part, partMapOf, partOfModule } from '../yolo/part-map';

export interface Cost {
  readonly params: number;
  readonly flops: number;
}

export interface ModuleCost extends Cost {
  readonly index: number;
}

export interface ModelStats extends Cost {
  readonly stages: Readonly<Record<Part, Cost>>;
  /** One entry per module index 0..max seen, including modules without parameters. */
  readonly modules: readonly ModuleCost[];
  /** Cost of nodes whose names carry no module index. */
  readonly unattributed: Cost;
  /** Op types without a shape rule (kept in the graph, flagged). */
  readonly unknownOps: readonly string[];
  /** The nodes of those ops. */
  readonly unknownNodes: readonly {
    readonly name: string;
    readonly opType: string;
    readonly domain: string;
  }[];
  /**
   * Nodes whose FLOPs could not be computed because a shape they need is unknown (behind an unknown op, named
   * in `after`). Their parameters are counted; `flops` is then a lower bound.
   */
  readonly uncosted: readonly { readonly node: string; readonly opType: string; readonly after?: string }[];
  /** The input shape the FLOPs were computed for. */
  readonly inputShape: readonly number[];
  /** How the model was counted (see `StatsOptions.form`). */
  readonly form: CostForm;
  /** BatchNormalization nodes counted as folded into their Conv (0 unless `form` is `deploy`). */
  readonly foldedBatchNorms: number;
}

/**
 * `as-given`: every node as it stands in the file. `deploy`: as the deploy-form export ships it, each
 * BatchNormalization that `foldBatchNorm` folds counted as merged into its Conv.
 */
export type CostForm = 'as-given' | 'deploy';

export interface StatsOptions {
  /** Square input size for dynamic spatial dims; default: metadata `imgsz`, else 640. */
  readonly imgsz?: number;
  /**
   * Default `as-given`. Use `deploy` wherever two models are compared (before/after, a reduction, a target):
   * a train-form and a deploy-form model are then counted alike, and both as the model that ships.
   */
  readonly form?: CostForm;
}

/** A node whose FLOPs need a shape inference could not give; its parameters are still known. */
class UnknownShape extends Error {
  constructor(readonly params: number) {
    super('shape unknown');
  }
}

function imgszFromMetadata(model: Model): number | undefined {
  const m = /(\d+)/.exec(metadataValue(model, 'imgsz') ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Pins dynamic dims: batch to 1, spatial to imgsz. */
function concreteInputShape(dims: readonly Dim[] | undefined, imgsz: number): number[] {
  const d = dims ?? [1, 3, null, null];
  return d.map((x, i) => (typeof x === 'number' && x > 0 ? x : i === 0 ? 1 : i === 1 ? 3 : imgsz));
}

/**
 * For the deploy form: each BatchNormalization the fold merges, with the parameters it leaves behind (the
 * Conv's new bias, one per channel, when the Conv had none; γ, β and the running statistics go).
 */
function foldedBatchNormCosts(graph: Model['graph']): Map<Node, Cost> {
  const index = indexGraph(graph);
  const out = new Map<Node, Cost>();
  for (const bn of graph.nodes) {
    if (bn.opType !== 'BatchNormalization' || bn.domain !== '') continue;
    const d = foldDecision(graph, index, bn);
    if (!d.fold) continue;
    const channels = graph.initializers.get(d.conv.inputs[1]!)!.dims[0]!;
    out.set(bn, { params: d.conv.inputs[2] ? 0 : channels, flops: 0 });
  }
  return out;
}

function nodeCost(node: Node, shape: (name: string) => ValueShape | undefined): Cost {
  const numel = (name: string | undefined) => {
    const d = name ? staticDims(shape(name)) : undefined;
    return d ? elementCount(d) : 0;
  };
  if (node.opType === 'Conv') {
    const w = staticDims(shape(node.inputs[1]!));
    const out = staticDims(shape(node.outputs[0]!));
    const params = (w ? elementCount(w) : 0) + numel(node.inputs[2]);
    if (!w || !out) throw new UnknownShape(params);
    // W is [M, C/group, k...]: per output element C/group·k² multiply-accumulates.
    const macsPerOutput = elementCount(w.slice(1));
    return { params, flops: 2 * elementCount(out) * macsPerOutput };
  }
  if (node.opType === 'MatMul') {
    // thop (and so ultralytics) counts a matmul's multiply-accumulates: output elements × the shared dim.
    const a = staticDims(shape(node.inputs[0]!));
    const out = staticDims(shape(node.outputs[0]!));
    if (!a || !out) throw new UnknownShape(0);
    return { params: 0, flops: 2 * elementCount(out) * a[a.length - 1]! };
  }
  if (node.opType === 'BatchNormalization') {
    return { params: numel(node.inputs[1]) + numel(node.inputs[2]), flops: 8 * numel(node.inputs[0]) };
  }
  return { params: 0, flops: 0 };
}

/** Totals, per module (by ultralytics module index) and per part (backbone / neck / head). */
export function computeStats(model: Model, options: StatsOptions = {}): ModelStats {
  const graph = model.graph;
  const imgsz = options.imgsz ?? imgszFromMetadata(model) ?? 640;
  const realInputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
  const inputShapes: Record<string, number[]> = {};
  for (const v of realInputs) {
    inputShapes[v.name] = concreteInputShape(v.type?.kind === 'tensor' ? v.type.shape : undefined, imgsz);
  }
  const inference = inferShapes(graph, { opset: defaultOpset(model) ?? 17, inputShapes });
  const shape = (n: string) => inference.shapes.get(n);

  const stageMap = partMapOf(model);
  const modules = new Map<number, { params: number; flops: number }>();
  const stages = Object.fromEntries(PARTS.map((s) => [s, { params: 0, flops: 0 }])) as Record<
    Part,
    { params: number; flops: number }
  >;
  const unattributed = { params: 0, flops: 0 };
  const uncosted: { node: string; opType: string; after?: string }[] = [];
  const unknownAbove = upstreamUnknownOp(graph, new Set(inference.unknownOps));
  const form = options.form ?? 'as-given';
  const folded = form === 'deploy' ? foldedBatchNormCosts(graph) : new Map<Node, Cost>();
  let params = 0;
  let flops = 0;
  let maxIndex = -1;
  for (const node of graph.nodes) {
    const index = moduleIndexOfNode(node.name);
    if (index !== undefined) maxIndex = Math.max(maxIndex, index);
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    let cost: Cost;
    try {
      cost = folded.get(node) ?? nodeCost(node, shape);
    } catch (err) {
      if (!(err instanceof UnknownShape)) throw err;
      const after = unknownAbove(node);
      uncosted.push({ node: node.name, opType: node.opType, ...(after ? { after } : {}) });
      cost = { params: err.params, flops: 0 };
    }
    if (cost.params === 0 && cost.flops === 0) continue;
    params += cost.params;
    flops += cost.flops;
    const stage = index === undefined ? undefined : partOfModule(index, stageMap);
    const buckets = [
      index === undefined
        ? unattributed
        : (modules.get(index) ?? modules.set(index, { params: 0, flops: 0 }).get(index)!),
    ];
    if (stage) buckets.push(stages[stage]);
    for (const b of buckets) {
      b.params += cost.params;
      b.flops += cost.flops;
    }
  }
  return {
    params,
    flops,
    stages,
    modules: Array.from({ length: maxIndex + 1 }, (_, i) => ({
      index: i,
      ...(modules.get(i) ?? { params: 0, flops: 0 }),
    })),
    unattributed,
    unknownOps: [...new Set(inference.unknownOps.map((n) => n.opType))],
    unknownNodes: inference.unknownOps.map((n) => ({ name: n.name, opType: n.opType, domain: n.domain })),
    uncosted,
    inputShape: Object.values(inputShapes)[0] ?? [],
    form,
    foldedBatchNorms: folded.size,
  };
}

/** For a node, the nearest op without a shape rule upstream of it (what its unknown shape comes from). */
function upstreamUnknownOp(
  graph: Model['graph'],
  unknown: ReadonlySet<Node>,
): (node: Node) => string | undefined {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const memo = new Map<Node, string | undefined>();
  const find = (start: Node): string | undefined => {
    if (memo.has(start)) return memo.get(start);
    // Breadth-first over producers (no recursion: graphs can be deep).
    const seen = new Set<Node>([start]);
    const queue = [start];
    let found: string | undefined;
    for (let i = 0; i < queue.length && found === undefined; i++) {
      for (const t of queue[i]!.inputs) {
        const p = producer.get(t);
        if (!p || seen.has(p)) continue;
        if (unknown.has(p)) {
          found = `${p.domain ? p.domain + '.' : ''}${p.opType} '${p.name}'`;
          break;
        }
        seen.add(p);
        queue.push(p);
      }
    }
    memo.set(start, found);
    return found;
  };
  return find;
}
