import { StagepruneError } from '../errors';
import type { MetadataProp, Model } from '../onnx/model';
import { pythonNamesDict } from '../yolo/ultralytics-metadata';

/**
 * metadata_props for a deploy-form model: the model's own ultralytics-style props are kept; missing keys
 * that tools running ultralytics exports read (stride, task, batch, imgsz, names, channels) are derived from
 * the graph's input and output shapes; `stageprune_form` becomes `deploy`. `names`, when given, replaces the
 * model's class names (the placeholder digits a model without names gets are only a last resort).
 */
export function deployMetadata(
  model: Model,
  options: { half?: boolean; names?: readonly string[] } = {},
): MetadataProp[] {
  const props = new Map(model.metadataProps.map((p) => [p.key, p.value]));
  const outShape0 =
    model.graph.outputs[0]?.type?.kind === 'tensor' ? model.graph.outputs[0].type.shape : undefined;
  const classes = typeof outShape0?.[1] === 'number' ? outShape0[1] - 4 : undefined;
  if (options.names) {
    if (classes !== undefined && options.names.length !== classes)
      throw new StagepruneError(
        'EXPORT_NAMES_MISMATCH',
        `${options.names.length} class names for a model with ${classes} classes`,
        { isInputError: true },
      );
    props.set('names', pythonNamesDict(options.names));
  }
  const input = model.graph.inputs.find((v) => !model.graph.initializers.has(v.name));
  const inShape = input?.type?.kind === 'tensor' ? input.type.shape : undefined;
  const outShape =
    model.graph.outputs[0]?.type?.kind === 'tensor' ? model.graph.outputs[0].type.shape : undefined;
  const setDefault = (key: string, value: string | undefined) => {
    if (!props.has(key) && value !== undefined) props.set(key, value);
  };
  setDefault('stride', '32');
  setDefault('task', 'detect');
  setDefault('batch', typeof inShape?.[0] === 'number' ? String(inShape[0]) : '1');
  if (typeof inShape?.[2] === 'number' && typeof inShape[3] === 'number')
    setDefault('imgsz', `[${inShape[2]}, ${inShape[3]}]`);
  const channels = outShape?.[1];
  if (typeof channels === 'number' && channels > 4) {
    setDefault('names', pythonNamesDict(Array.from({ length: channels - 4 }, (_, i) => String(i))));
  }
  setDefault('channels', '3');
  props.set('stageprune_form', 'deploy');
  if (options.half) props.set('stageprune_precision', 'fp16');
  return [...props].map(([key, value]) => ({ key, value }));
}
