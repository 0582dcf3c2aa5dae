import { Context } from '@temporalio/activity';

/** Who is running: the activity in whose async context the caller is. */
export interface ActivityIdentity {
  activityType: string;
  activityId: string;
  attempt: number;
  workflowId?: string;
  runId?: string;
  taskQueue: string;
}

/**
 * The activity whose async context the caller runs in, or undefined outside any activity. The SDK keeps the
 * context in an AsyncLocalStorage, which follows promises, timers and the events Node emits for them.
 */
export function currentActivity(): ActivityIdentity | undefined {
  let info: Context['info'];
  try {
    info = Context.current().info;
  } catch {
    return undefined;
  }
  return {
    activityType: info.activityType,
    activityId: info.activityId,
    attempt: info.attempt,
    workflowId: info.workflowExecution?.workflowId,
    runId: info.workflowExecution?.runId,
    taskQueue: info.taskQueue,
  };
}
