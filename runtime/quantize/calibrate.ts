// Calibration: the tensors a quantized model will carry in 8 bits are exposed as extra graph outputs, every
// calibration image is run once through onnxruntime, and each tensor's values feed its observer. Tensors that
// turn out not to be float (shape arithmetic in dynamic exports) are left out, and so are their nodes.

import { ort } from '../ort';
import { encodeModel } from '../../core/onnx/encode';
import type { Graph, Model } from '../../core/onnx/model';
import { activationInputsOf, QUANTIZABLE_OPS, quantizedOutputsOf } from '../../core/quantize/quantizable-ops';
import { createObserver, type ObserverKind, type Range } from '../../core/quantize/observers';
import { QuantizeError } from '../../core/quantize/errors';
import type { CalibrationImage } from '../pruning/activations';

/** Activation tensors of every node the pass could quantize (initializers excluded: their range is known). */
export function tensorsToCalibrate(graph: Graph, keepFloat: ReadonlySet<string>): string[] {
  const tensors = new Set<string>();
  for (const n of graph.nodes) {
    const op = n.domain === '' ? QUANTIZABLE_OPS[n.opType] : undefined;
    if (!op || keepFloat.has(n.name)) continue;
    for (const t of [...activationInputsOf(n, op), ...quantizedOutputsOf(n, op)])
      if (!graph.initializers.has(t)) tensors.add(t);
  }
  return [...tensors];
}

export async function calibrateRanges(
  model: Model,
  images: readonly CalibrationImage[],
  tensors: readonly string[],
  kind: ObserverKind,
): Promise<Map<string, Range>> {
  if (images.length === 0) throw new QuantizeError('QUANTIZE_NO_CALIBRATION', 'no calibration images');
  const existing = new Set(model.graph.outputs.map((o) => o.name));
  const probe: Model = {
    ...model,
    graph: {
      ...model.graph,
      outputs: [...model.graph.outputs, ...tensors.filter((t) => !existing.has(t)).map((name) => ({ name }))],
    },
  };
  const session = await ort.InferenceSession.create(encodeModel(probe), { logSeverityLevel: 3 });
  const observers = new Map(tensors.map((t) => [t, createObserver(kind)]));
  const notFloat = new Set<string>();
  try {
    const input = model.graph.inputs.find((v) => !model.graph.initializers.has(v.name))!.name;
    for (const image of images) {
      const out = await session.run({ [input]: new ort.Tensor('float32', image.data, [...image.dims]) }, [
        ...tensors,
      ]);
      for (const t of tensors) {
        const value = out[t]!;
        if (value.type !== 'float32') notFloat.add(t);
        else observers.get(t)!.observe(value.data as Float32Array);
      }
    }
  } finally {
    await session.release();
  }
  const ranges = new Map<string, Range>();
  for (const [t, o] of observers) if (!notFloat.has(t)) ranges.set(t, o.range());
  return ranges;
}
