import type { Graph, Tensor } from '../../onnx/model';

/**
 * Values of constant operands by tensor name: initializers, Constant node outputs (`value` attribute) and
 * Identity nodes over either (exporters deduplicate equal weights that way).
 */
export function constantResolver(graph: Graph): (name: string) => Tensor | undefined {
  const constants = new Map<string, Tensor>(graph.initializers);
  for (const node of graph.nodes) {
    const domainOk = node.domain === '' || node.domain === 'ai.onnx';
    if (!domainOk) continue;
    const value = node.attributes['value'];
    if (node.opType === 'Constant' && value?.type === 'tensor')
      constants.set(node.outputs[0]!, { ...value.value, name: node.outputs[0]! });
    if (node.opType === 'Identity') {
      const source = constants.get(node.inputs[0] ?? '');
      if (source) constants.set(node.outputs[0]!, { ...source, name: node.outputs[0]! });
    }
  }
  return (name) => constants.get(name);
}
