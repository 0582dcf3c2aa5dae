/**
 * The root of every typed error stageprune raises. Each concern (ONNX parsing, pruning, datasets, ...)
 * declares its own small family with stable `code`s; the activity boundary turns `isInputError` ones
 * into non-retryable Temporal failures whose type is the code.
 */
export class StagepruneError extends Error {
  /** Stable, machine-readable name, e.g. `ONNX_TRUNCATED`. Used as the ApplicationFailure type. */
  readonly code: string;
  /** True when retrying with the same input cannot help (bad model, bad ratio, bad dataset file). */
  readonly isInputError: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; isInputError?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.isInputError = options.isInputError ?? true;
  }
}

export function isStagepruneError(e: unknown): e is StagepruneError {
  return e instanceof StagepruneError;
}
