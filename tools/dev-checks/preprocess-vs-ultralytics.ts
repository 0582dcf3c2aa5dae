/**
 * DEV-ONLY check: our letterbox input tensor vs ultralytics' validation preprocessing on BCCD images,
 * at several input sizes (640: pad only; 320: OpenCV's 2x area path; 416/512/608: bilinear resize).
 * Needs the dev venv with ultralytics (AGPL; never a product or CI dependency).
 *
 *   npx tsx tools/dev-checks/preprocess-vs-ultralytics.ts [--python /tmp/devref/venv/bin/python] [--count 20]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { letterboxGeometry, letterboxInto } from '../../core/preprocess';
import { decodeImageFile } from '../../runtime/images';
import { repoRoot } from '../../runtime/paths';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      python: { type: 'string', default: '/tmp/devref/venv/bin/python' },
      count: { type: 'string', default: '20' },
      data: { type: 'string', default: path.resolve(repoRoot, 'datasets/bccd') },
    },
  });
  const dir = path.join(values.data, 'JPEGImages');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, Number(values.count));
  const sizes = [640, 320, 416, 512, 608];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ul-pre-'));
  try {
    execFileSync(
      values.python,
      [
        path.join(__dirname, 'ultralytics-preprocess-dump.py'),
        tmp,
        ...files.map((f) => path.join(dir, f)),
        '--imgsz',
        ...sizes.map(String),
      ],
      {
        stdio: ['ignore', 'inherit', 'ignore'],
      },
    );
    for (const size of sizes) {
      let maxDiff = 0;
      let differing = 0;
      let total = 0;
      for (const f of files) {
        const ref = readFileSync(path.join(tmp, String(size), f.replace(/\.jpg$/, '.bin')));
        const img = await decodeImageFile(path.join(dir, f), f);
        const g = letterboxGeometry(img.width, img.height, size);
        const ours = new Float32Array(3 * size * size);
        letterboxInto(img.data, g, ours, 0);
        for (let i = 0; i < ours.length; i++) {
          const d = Math.abs(ours[i]! - Math.fround(ref[i]! / 255));
          if (d > 0) differing++;
          if (d > maxDiff) maxDiff = d;
        }
        total += ours.length;
      }
      console.log(
        JSON.stringify({
          imgsz: size,
          images: files.length,
          max_abs_diff: maxDiff,
          max_abs_diff_levels: Math.round(maxDiff * 255),
          differing_values: differing,
          values: total,
        }),
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
