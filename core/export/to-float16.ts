import { DataType } from '../onnx/data-type';
import type { Attribute, Graph, Model, Node, Tensor, ValueInfo } from '../onnx/model';

// Inputs that ONNX types as float32 whatever the model's precision: Resize's roi and scales.
const FLOAT32_OPERANDS: Readonly<Record<string, readonly number[]>> = { Resize: [1, 2], Upsample: [1] };

function toHalf(t: Tensor): Tensor {
  // Values are rounded to fp16 when encoded; rounding here too makes the in-memory model match its file.
  return t.dataType === DataType.FLOAT ? { ...t, dataType: DataType.FLOAT16 } : t;
}

function halfValueInfo(v: ValueInfo): ValueInfo {
  return v.type?.kind === 'tensor' && v.type.elemType === DataType.FLOAT
    ? { ...v, type: { ...v.type, elemType: DataType.FLOAT16 } }
    : v;
}

/**
 * Stores every float32 tensor as float16 and makes the graph's float inputs, outputs and Casts float16, as
 * ultralytics' `half=True` export does (a GPU deployment format: onnxruntime's CPU provider lacks fp16
 * kernels for several ops). Resize scales/roi stay float32 as the ONNX spec requires.
 */
export function convertToFloat16(model: Model): Model {
  const keep32 = new Set<string>();
  for (const n of model.graph.nodes)
    for (const i of FLOAT32_OPERANDS[n.opType] ?? []) if (n.inputs[i]) keep32.add(n.inputs[i]!);
  const graph = convertGraph(model.graph, keep32);
  return { ...model, graph };
}

function convertGraph(graph: Graph, keep32: ReadonlySet<string>): Graph {
  const initializers = new Map<string, Tensor>();
  for (const [name, t] of graph.initializers) initializers.set(name, keep32.has(name) ? t : toHalf(t));
  const nodes = graph.nodes.map((n): Node => {
    // Constant's value, and ConstantOfShape's fill (dynamic exports build anchor strides with it).
    const valueOp = n.opType === 'Constant' || n.opType === 'ConstantOfShape';
    if (valueOp && n.attributes.value?.type === 'tensor' && !keep32.has(n.outputs[0]!)) {
      return {
        ...n,
        attributes: { ...n.attributes, value: { type: 'tensor', value: toHalf(n.attributes.value.value) } },
      };
    }
    if (n.opType === 'Cast' && n.attributes.to?.type === 'int' && n.attributes.to.value === DataType.FLOAT) {
      const to: Attribute = { type: 'int', value: DataType.FLOAT16 };
      return { ...n, attributes: { ...n.attributes, to } };
    }
    return n;
  });
  return {
    ...graph,
    nodes,
    initializers,
    inputs: graph.inputs.map(halfValueInfo),
    outputs: graph.outputs.map(halfValueInfo),
    valueInfo: graph.valueInfo.map(halfValueInfo),
  };
}
