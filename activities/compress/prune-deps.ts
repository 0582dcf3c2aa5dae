import { describeSplit } from '../../common/data-split';
import type { CriterionInputs } from '../../common/criterion-inputs';
import { imageInputSize, type Model } from '../../core/onnx';
import type { ActivationRanks } from '../../core/pruning/importance/criterion';
import type { PruneDeps } from '../../core/pruning/prune-model';
import { loadDataset } from '../../runtime/datasets';
import { onnxActivationRanks } from '../../runtime/pruning/activations';
import { letterboxImage } from '../../runtime/pruning/calibration-images';
import { readTaylorScores } from '../../runtime/pruning/taylor-scores';
import type { PipelineDeps } from './context';
import { loadManifest } from './import-inputs';
import { ActivityInputError } from '../input-error';

export type { CriterionInputs };

/** The pruning engine's inputs for `criterion` on `model`; nothing for criteria that read only weights. */
export async function pruneDepsFor(
  deps: PipelineDeps,
  criterion: string,
  model: Model,
  inputs: CriterionInputs,
): Promise<PruneDeps> {
  if (criterion === 'hrank') {
    const c = inputs.calibration;
    if (!c)
      throw new ActivityInputError('PRUNE_CALIBRATION_MISSING', 'criterion hrank needs calibration images');
    const root = await deps.cache.dataset(await loadManifest(deps, c.dataset));
    const loaded = await loadDataset(root, { split: c.split, policy: 'skip' });
    const files = loaded.dataset.images.slice(0, c.images).map((im) => loaded.resolveImage(im.file));
    if (files.length === 0)
      throw new ActivityInputError(
        'PRUNE_CALIBRATION_MISSING',
        `split '${describeSplit(c.split)}' has no images for hrank`,
      );
    const size = imageInputSize(model) ?? 640;
    const images = await Promise.all(files.map((f) => letterboxImage(f, size)));
    return { activations: rememberRanks(onnxActivationRanks(model, images)) };
  }
  if (criterion === 'taylor') {
    if (!inputs.taylorScores)
      throw new ActivityInputError(
        'PRUNE_SCORES_INVALID',
        'criterion taylor needs the scoreTaylor step’s scores',
      );
    return { taylorScores: await readTaylorScores(await deps.cache.file(inputs.taylorScores, '.json')) };
  }
  return {};
}

/** The same model is pruned many times while a plan is scaled to its target: rank its feature maps once. */
function rememberRanks(inner: ActivationRanks): ActivationRanks {
  const seen = new Map<string, Promise<ReadonlyMap<string, Float64Array>>>();
  return {
    ranks(tensors) {
      const key = [...tensors].sort().join('\n');
      if (!seen.has(key)) seen.set(key, inner.ranks(tensors));
      return seen.get(key)!;
    },
  };
}
