import type { ArtifactRef } from '../../common/artifact-ref';
import { decodeModel } from '../../core/onnx';
import { gammaHistogram, type GammaHistogram } from '../../core/stats';
import type { PipelineDeps } from './context';

/** The |γ| histogram of a stored model's BatchNormalizations (the sparsify stage reports before/after). */
export function measureGammas(deps: PipelineDeps) {
  return async (input: { model: ArtifactRef }): Promise<GammaHistogram> =>
    gammaHistogram(decodeModel(await deps.store.get(input.model)));
}
