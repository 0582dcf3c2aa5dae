import type { ArtifactStore } from '../runtime/artifacts';
import { withFailureMapping } from './failures';
import { pingArtifact } from './ping-artifact';

export interface ActivityDeps {
  store: ArtifactStore;
}

/**
 * All activities, bound to their clients. Workers call this once; workflows only see its type.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    pingArtifact: withFailureMapping(pingArtifact(deps.store)),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { PingArtifactInput, PingArtifactResult } from './ping-artifact';
