import { z } from 'zod';
import { artifactRefSchema, type ArtifactRef } from '../common/artifact-ref';
import type { ArtifactStore } from '../runtime/artifacts';
import { StagepruneError } from '../core/errors';

export const pingArtifactInputSchema = z.object({ text: z.string().min(1).max(10_000) });
export type PingArtifactInput = z.infer<typeof pingArtifactInputSchema>;

export interface PingArtifactResult {
  ref: ArtifactRef;
  /** The text read back from the store by content hash. */
  echoed: string;
}

export class InvalidActivityInputError extends StagepruneError {
  constructor(activity: string, message: string) {
    super('INVALID_INPUT', `${activity}: ${message}`);
  }
}

/** Writes the text as an artifact, then reads it back by its content hash: the S3 round trip of the stack. */
export function pingArtifact(store: ArtifactStore) {
  return async (input: PingArtifactInput): Promise<PingArtifactResult> => {
    const parsed = pingArtifactInputSchema.safeParse(input);
    if (!parsed.success) throw new InvalidActivityInputError('pingArtifact', parsed.error.message);
    const ref = await store.put(new TextEncoder().encode(parsed.data.text), { contentType: 'text/plain' });
    const back = await store.get(artifactRefSchema.parse(ref));
    return { ref, echoed: new TextDecoder().decode(back) };
  };
}
