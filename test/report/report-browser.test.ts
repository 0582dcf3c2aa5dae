import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { startCompression } from '../../clients';
import type { RunReport } from '../../core/report';
import { LocalArtifactCache } from '../../runtime/artifacts';
import { writeReport, type WriteReportInput } from '../../activities/compress/write-report';
import { CHROMIUM, chromiumAvailable, openFile } from '../../tools/headless-chromium';
import { inProcess } from '../support/cli-in-process';
import { startPipelineEnv, type PipelineEnv } from '../support/pipeline-env';

/** What the page shows, read from the DOM Chromium laid out (not from the HTML text). */
interface Rendered {
  sections: string[];
  plots: { name: string; width: number; height: number; marks: number; visibleMarks: number }[];
  images: {
    panel: string;
    complete: boolean;
    naturalWidth: number;
    naturalHeight: number;
    shownWidth: number;
  }[];
}

// Runs in the page: the test's tsconfig has no DOM types, so it is sent as text.
const READ_PAGE = `(() => ({
  sections: [...document.querySelectorAll('section')].map((s) => s.id),
  plots: [...document.querySelectorAll('figure.plot')].map((f) => {
    const svg = f.querySelector('svg');
    const r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    const marks = svg ? [...svg.querySelectorAll('path[class], rect[class], circle[class], line[class]')] : [];
    return {
      name: f.dataset.plot,
      width: r.width,
      height: r.height,
      marks: marks.length,
      visibleMarks: marks.filter((m) => { const b = m.getBoundingClientRect(); return b.width > 0 || b.height > 0; }).length,
    };
  }),
  images: [...document.querySelectorAll('#detections img')].map((i) => ({
    panel: i.closest('figure').dataset.panel,
    complete: i.complete,
    naturalWidth: i.naturalWidth,
    naturalHeight: i.naturalHeight,
    shownWidth: i.getBoundingClientRect().width,
  })),
}))()`;

/** Opens the page, fails on any console error or request, screenshots it, and returns what it shows. */
async function inChromium(index: string, screenshot: string): Promise<Rendered> {
  const opened = await openFile(index);
  try {
    const rendered = (await opened.page.evaluate(READ_PAGE)) as Rendered;
    await opened.page.screenshot({ path: screenshot, fullPage: true });
    assert.deepEqual(opened.problems, [], 'the page logged errors or made requests');
    return rendered;
  } finally {
    await opened.close();
  }
}

function assertDrawn(r: Rendered, plots: string[], pictures: number): void {
  for (const id of ['metrics', 'pareto', 'kept-channels', 'sensitivity', 'search', 'finetune', 'detections'])
    assert.ok(r.sections.includes(id), `section ${id} missing: ${r.sections.join(', ')}`);
  for (const name of plots) {
    const p = r.plots.find((x) => x.name === name);
    assert.ok(p, `plot ${name} missing: ${r.plots.map((x) => x.name).join(', ')}`);
    assert.ok(p.width > 100 && p.height > 100, `plot ${name} is laid out ${p.width}x${p.height}`);
    assert.ok(p.visibleMarks > 0, `plot ${name} draws no visible mark (${p.marks} marks)`);
  }
  assert.equal(r.images.length, pictures);
  for (const im of r.images) {
    assert.ok(
      im.complete && im.naturalWidth > 0 && im.naturalHeight > 0,
      `picture ${im.panel} did not decode`,
    );
    assert.ok(im.shownWidth > 50, `picture ${im.panel} is shown ${im.shownWidth} px wide`);
  }
}

/** The CLI in-process against the test stack, as a user's shell would point it there. */
async function cli(p: PipelineEnv, ...args: string[]) {
  const env: Record<string, string> = {
    STAGEPRUNE_S3_ENDPOINT: p.env.config.s3.endpoint,
    STAGEPRUNE_S3_BUCKET: p.env.config.s3.bucket,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await inProcess(...args);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe(
  'the HTML report of a real tiny-model run, in headless Chromium',
  {
    skip: chromiumAvailable()
      ? false
      : `report browser test: ${CHROMIUM} is missing (install it: sudo apt-get install chromium, or bash infra/setup-chromium.sh as root; or set STAGEPRUNE_CHROMIUM)`,
  },
  () => {
    let p: PipelineEnv;
    // Kept after the run: the screenshots are the test's artifacts (printed below), outside the repository.
    const out = mkdtempSync(path.join(os.tmpdir(), 'stageprune-report-browser-'));
    let runId: string;
    before(async () => {
      p = await startPipelineEnv();
    });
    after(async () => {
      await p?.close();
    });

    test('scan, plan, prune, fine-tune, report: every plot and picture renders, nothing errs or fetches', async (t) => {
      const handle = await startCompression(
        p.client,
        {
          model: p.modelUri,
          data: p.dataUri,
          modelName: 'tiny',
          planner: { kind: 'sensitivity', scanRatios: [0.5], calibrationImages: 4, concurrency: 2 },
          target: { flopsReduction: 0.05 },
          finetune: { epochs: 1, maxSteps: 2, batch: 4, device: 'cpu', checkpointEvery: 1 },
          evaluation: { provider: 'cpu', latencyRuns: 3 },
          taskQueues: { cpu: p.env.config.taskQueues.cpu, gpu: p.env.config.taskQueues.gpu },
        },
        { taskQueue: p.env.config.taskQueues.cpu },
      );
      const result = await p.withWorkers(() => handle.result());
      runId = result.runId;

      const dir = path.join(out, 'fetched');
      const r = await cli(p, 'report', runId, '--out', dir);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, path.join(dir, 'index.html'), 'stdout is the path of index.html');

      // What the workflow did not hand over, the report found where the steps stored it.
      const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as RunReport;
      assert.equal(report.before.latency?.runs, 3);
      assert.equal(report.after.latency?.runs, 3);
      assert.equal(report.before.per_class?.length, 3, 'AP of each of the 3 classes');
      assert.equal(report.pruned?.per_class?.length, 3);
      assert.ok((report.finetune_loss?.points.length ?? 0) >= 1, 'the fine-tune loss series');
      assert.ok('cwd' in report.finetune_loss!.points[0]!.loss, 'the CWD term is in the series');
      assert.ok((report.sensitivity?.curves?.length ?? 0) > 5, 'one sensitivity curve per unit');
      assert.equal(report.detections?.images_compared, 12);
      assert.equal(report.detections?.images.length, 4);
      // The mAP change’s interval comes from the same 12 images the evaluation step scored.
      const change = report.map_change!;
      assert.equal(change.images, 12);
      assert.equal(change.resamples, 1000);
      assert.ok(
        Math.abs(change.observed - (report.after.map50_95 - report.before.map50_95)) < 1e-12,
        `observed ${change.observed} is the evaluation step's difference`,
      );
      assert.ok(change.low <= change.high, JSON.stringify(change));
      assert.equal(report.missing, undefined, JSON.stringify(report.missing));
      assert.deepEqual(
        report.pareto?.filter((x) => x.chosen).map((x) => x.source),
        ['final'],
      );

      const shot = path.join(out, 'report.png');
      const rendered = await inChromium(r.stdout, shot);
      t.diagnostic(`screenshot: ${shot}`);
      console.log(`report screenshot: ${shot}`);
      assertDrawn(
        rendered,
        [
          'pareto-flops',
          'pareto-latency',
          'kept-channels',
          'sensitivity',
          'loss-detection',
          'loss-distillation',
        ],
        12,
      );
    });

    test('a search trajectory handed to writeReport is drawn (the same run, reported again)', async (t) => {
      assert.ok(runId, 'needs the run of the test before');
      // The writeReport input exactly as the workflow scheduled it, plus what a NetAdapt planner records.
      const history = await p.client.workflow.getHandle(runId).fetchHistory();
      const scheduled = (history.events ?? [])
        .map((e) => e.activityTaskScheduledEventAttributes)
        .find((a) => a?.activityType?.name === 'writeReport');
      const input = defaultPayloadConverter.fromPayload<WriteReportInput>(scheduled!.input!.payloads![0]!);
      const deps = {
        store: p.store,
        cache: new LocalArtifactCache(p.store, path.join(p.workDir, 'report-test-cache')),
        workDir: p.workDir,
      };
      const before = input.result.before;
      const written = await writeReport(deps)({
        ...input,
        search: [
          {
            kind: 'netadapt',
            points: [1, 2, 3].map((step) => ({
              step,
              flops: before.flops * (1 - 0.02 * step),
              latencyMs: before.latency_ms * (1 - 0.02 * step),
              map50_95: before.map50_95,
              accepted: step !== 2,
              label: `iteration ${step}`,
            })),
          },
        ],
      });
      assert.equal(written.htmlUri, `s3://${p.store.bucket}/runs/${runId}/report.html`);

      const dir = path.join(out, 'with-search');
      const r = await cli(p, 'report', runId, '--out', dir);
      assert.equal(r.code, 0, r.stderr);
      const shot = path.join(out, 'report-with-search.png');
      const rendered = await inChromium(r.stdout, shot);
      t.diagnostic(`screenshot: ${shot}`);
      assertDrawn(rendered, ['search-0-map50_95', 'search-0-latency_ms', 'pareto-flops'], 12);
    });

    test('report of an unknown run: one typed line, exit 1', async () => {
      const r = await cli(p, 'report', 'no-such-run', '--out', path.join(out, 'none'));
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^stageprune report: REPORT_NOT_FOUND: no report for run 'no-such-run'/);
      assert.equal(r.stderr.split('\n').length, 1);
    });
  },
);
