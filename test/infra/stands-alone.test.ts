// A clone of the repository is all a user has: nothing may be read from outside it (the design notes and
// the BCCD data set used to live in a sibling `shared/` folder).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { bccdRoot } from '../../runtime/datasets';
import { repoRoot } from '../../runtime/paths';

const TEXT = /\.(ts|cjs|mjs|js|py|sh|md|json|ya?ml|txt|env)$/;
// The sibling folder's name, kept out of any literal path so that this file passes its own check.
const SIBLING = 'shared';
const READS_SIBLING = new RegExp(`\\.\\./${SIBLING}|'${SIBLING}', 'datasets'`);

test('no tracked file points outside the repository at the sibling folder', () => {
  const files = execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\n')
    .filter((f) => TEXT.test(f) && !f.startsWith('datasets/') && fs.existsSync(path.join(repoRoot, f)));
  assert.ok(files.length > 100, `only ${files.length} tracked text files found`);
  const offenders = files.filter((f) => READS_SIBLING.test(fs.readFileSync(path.join(repoRoot, f), 'utf8')));
  assert.deepEqual(offenders, [], `these files read the sibling ${SIBLING}/ folder: ${offenders.join(', ')}`);
});

test('the default data set is the BCCD copy inside the repository, whole', () => {
  const saved = process.env.STAGEPRUNE_BCCD;
  delete process.env.STAGEPRUNE_BCCD;
  try {
    const root = bccdRoot();
    assert.equal(path.relative(repoRoot, root), path.join('datasets', 'bccd'));
    const count = (dir: string) => fs.readdirSync(path.join(root, dir)).length;
    assert.equal(count('JPEGImages'), 364);
    assert.equal(count('Annotations'), 364);
    assert.ok(fs.existsSync(path.join(root, 'LICENSE')));
    const split = (name: string) =>
      fs
        .readFileSync(path.join(root, 'ImageSets/Main', `${name}.txt`), 'utf8')
        .trim()
        .split('\n').length;
    assert.deepEqual([split('train'), split('val'), split('test'), split('trainval')], [205, 87, 72, 292]);
  } finally {
    if (saved !== undefined) process.env.STAGEPRUNE_BCCD = saved;
  }
});
