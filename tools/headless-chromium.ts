// Headless Chromium for looking at a report as a person would: the browser test (test/report) and the docs
// screenshot (tools/screenshot-report.ts) both open pages through here. Debian's chromium package (installed
// by infra/setup-chromium.sh, which infra/test.sh runs) driven by playwright-core, whose own browser download cannot reach its host here.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.STAGEPRUNE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless, no sandbox (we run as root), and none of Chromium's background traffic: on a machine whose only
 * network is the package registries, its connection attempts fail loudly and slow every start.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumAvailable = (): boolean => existsSync(CHROMIUM);

export interface OpenedPage {
  page: Page;
  /** Console errors, page errors, failed requests and any request that left the machine, in order. */
  problems: string[];
  close(): Promise<void>;
}

/** Opens a local HTML file in a fresh profile (a new --user-data-dir, removed on close). */
export async function openFile(file: string, viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'stageprune-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on('request', (r) => {
      if (!/^(file|data):/.test(r.url())) problems.push(`network request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: 'load' });
    const opened = context;
    return {
      page,
      problems,
      async close() {
        await opened.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}
