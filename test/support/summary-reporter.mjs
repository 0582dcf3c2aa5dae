// Prints the closing line CI reads: "N passed, N failed, N skipped" (leaf tests, a skipped suite as one), and why tests were
// skipped where their skip says (a suite's reason counts once): "... 3 skipped (skipped: chromium is missing)".
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const reasons = new Set();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    if (typeof d.skip === 'string' && d.skip !== '') reasons.add(d.skip);
    if (d.details?.type === 'suite') {
      // A skipped suite reports none of its tests: it counts as one skipped test.
      if (d.skip) skipped++;
      continue;
    }
    if (event.type === 'test:fail' && d.details?.error?.failureType === 'subtestsFailed') continue;
    if (d.skip || d.todo) skipped++;
    else if (event.type === 'test:pass') passed++;
    else failed++;
  }
  const why = reasons.size > 0 ? ` (skipped: ${[...reasons].join('; ')})` : '';
  yield `\n${passed} passed, ${failed} failed, ${skipped} skipped${why}\n`;
}
