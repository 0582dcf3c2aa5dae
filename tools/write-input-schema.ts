// Writes docs/compress-model-input.schema.json from the zod schema (the one source of truth).
// Run: npx tsx tools/write-input-schema.ts   (a test checks the committed file is current)
import fs from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { inputJsonSchema } from '../common/input-json-schema';

// Formatted as prettier formats it, so the lint step's `prettier --check` passes on the file as written.
async function main(): Promise<void> {
  const file = path.join(__dirname, '..', 'docs', 'compress-model-input.schema.json');
  const options = { ...(await resolveConfig(file)), filepath: file };
  fs.writeFileSync(file, await format(JSON.stringify(inputJsonSchema(), null, 2), options));
  console.log(`wrote ${file}`);
}
void main();
