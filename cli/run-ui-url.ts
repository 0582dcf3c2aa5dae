import type { StagepruneConfig } from '../runtime/config';

/** A run's page in the Temporal Web UI of the configured stack. */
export function runUiUrl(config: Pick<StagepruneConfig, 'temporal'>, runId: string): string {
  return `http://127.0.0.1:${config.temporal.uiPort}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(runId)}`;
}
