// Screenshot of a report page in headless Chromium, as a person sees it (the README's docs/report-demo.png):
//   npx tsx tools/screenshot-report.ts .stageprune/reports/<run>/index.html docs/report-demo.png [WIDTH]
// Exits non-zero when the page logs an error or asks for anything over the network.
import sharp from 'sharp';
import { chromiumAvailable, CHROMIUM, openFile } from './headless-chromium';

async function main(): Promise<number> {
  const [file, out, width] = process.argv.slice(2);
  if (!file || !out) {
    console.error('usage: tsx tools/screenshot-report.ts INDEX_HTML OUT_PNG [WIDTH]');
    return 2;
  }
  if (!chromiumAvailable()) {
    console.error(`${CHROMIUM} is missing: run infra/setup.sh (it installs Debian's chromium)`);
    return 1;
  }
  const opened = await openFile(file, { width: Number(width ?? 1280), height: 900 });
  try {
    const png = await opened.page.screenshot({ fullPage: true });
    // Same pixels, about half the bytes of Chromium's fast PNG encoding: the file is committed to docs/.
    await sharp(png).png({ compressionLevel: 9, adaptiveFiltering: true, effort: 10 }).toFile(out);
  } finally {
    await opened.close();
  }
  for (const p of opened.problems) console.error(p);
  console.log(out);
  return opened.problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
