import { z } from 'zod';
import { compressModelInputSchema } from './compress-input';

/** The compressModel input as JSON Schema (what a client in any language validates against). */
export function inputJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://stageprune.dev/schemas/compress-model-input.json',
    title: 'compressModel input',
    ...z.toJSONSchema(compressModelInputSchema, { io: 'input' }),
  };
}
