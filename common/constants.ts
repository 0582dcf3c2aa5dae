/**
 * Names shared by workflows, workers, clients and the local stack. Pure: no imports with side effects,
 * so workflow code may import it.
 */

/** Task queues: graph work and planning on cpu; training, evaluation and latency on gpu. */
export const TASK_QUEUES = {
  cpu: 'stageprune-cpu',
  gpu: 'stageprune-gpu',
} as const;

/**
 * Custom search attributes registered by the local stack (`--search-attribute`) and set by workflows.
 * One source of truth for their names and types.
 */
export const SEARCH_ATTRIBUTES = {
  model: { name: 'StagepruneModel', type: 'Keyword' },
  planner: { name: 'StageprunePlanner', type: 'Keyword' },
  target: { name: 'StagepruneTarget', type: 'Keyword' },
  stage: { name: 'StagepruneStage', type: 'Keyword' },
} as const;

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_BUCKET = 'stageprune';
