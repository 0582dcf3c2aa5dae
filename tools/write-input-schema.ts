// Writes docs/compress-model-input.schema.json from the zod schema (the one source of truth).
// Run: npx tsx tools/write-input-schema.ts   (a test checks the committed file is current)
import fs from 'node:fs';
import path from 'node:path';
import { inputJsonSchema } from '../common/input-json-schema';

const file = path.join(__dirname, '..', 'docs', 'compress-model-input.schema.json');
fs.writeFileSync(file, `${JSON.stringify(inputJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
