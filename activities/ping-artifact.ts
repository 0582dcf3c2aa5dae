import { z } from 'zod';
import { artifactRefSchema, type ArtifactRef } from '../common/artifact-ref';
import type { ArtifactStore } from '../runtime/artifacts';
import { ActivityInputError } from './input-error';

export const pingArtifactInputSchema = z.object({ text: z.string().min(1).max(10_000) });
export type PingArtifactInput = z.infer<typeof pingArtifactInputSchema>;

export interface PingArtifactResult {
  ref: ArtifactRef;
  /** The text read back from the store by content hash. */
  echoed: string;
}

/** Writes the text as an artifact, then reads it back by its content hash: the S3 round trip of the stack. */
export function pingArtifact(store: ArtifactStore) {
  return async (input: PingArtifactInput): Promise<PingArtifactResult> => {
    const parsed = pingArtifactInputSchema.safeParse(input);
    if (!parsed.success)
      throw new ActivityInputError('INVALID_INPUT', `pingArtifact: ${parsed.error.message}`);
    const ref = await store.put(new TextEncoder().encode(parsed.data.text), { contentType: 'text/plain' });
    const back = await store.get(artifactRefSchema.parse(ref));
    return { ref, echoed: new TextDecoder().decode(back) };
  };
}
