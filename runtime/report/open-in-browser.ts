import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { ReportError } from './errors';

/** The program that hands a file to the desktop's browser: xdg-open on Linux and BSD, open on macOS. */
export function browserOpener(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const name = platform === 'darwin' ? 'open' : 'xdg-open';
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Starts the opener detached (it may outlive us, as a browser does) and returns its path. */
export function openInBrowser(file: string, env: NodeJS.ProcessEnv = process.env): string {
  const opener = browserOpener(env);
  if (!opener) {
    throw new ReportError(
      'REPORT_NO_BROWSER',
      `no xdg-open on PATH to hand ${file} to a browser; open it yourself (a headless machine has none)`,
    );
  }
  const child = spawn(opener, [file], { detached: true, stdio: 'ignore', env });
  child.on('error', () => undefined); // the page path is printed anyway
  child.unref();
  return opener;
}
