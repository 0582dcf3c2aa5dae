import type { DatasetUploadEvents } from '../../runtime/artifacts/upload-inputs';

/** What `resolveInputs` tells the user while it uploads local inputs. */
export interface UploadReporter {
  /** One finished line (the model's upload, a skipped dataset). */
  line(text: string): void;
  /** The dataset upload's events. */
  dataset(dir: string): DatasetUploadEvents;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/**
 * Upload progress on stderr (stdout stays clean for `--json`). On a terminal the dataset's count is one
 * line rewritten at most every `intervalMs`; elsewhere (logs, CI, pipes) a line every 10% of the files.
 */
export function stderrUploadReporter(
  options: {
    tty?: boolean;
    /** Raw writes (the terminal's rewritten line); default process.stderr. */
    write?: (s: string) => void;
    /** Whole lines; default console.error. */
    line?: (text: string) => void;
    intervalMs?: number;
    now?: () => number;
  } = {},
): UploadReporter {
  const tty = options.tty ?? process.stderr.isTTY === true;
  const write = options.write ?? ((s: string) => void process.stderr.write(s));
  const line = options.line ?? ((text: string) => console.error(text));
  const intervalMs = options.intervalMs ?? 250;
  const now = options.now ?? Date.now;
  return {
    line,
    dataset(dir) {
      let lastDecile = -1;
      let lastAt = -Infinity;
      let width = 0;
      return {
        onSkip: (files, uri) => line(`dataset: ${dir} already uploaded (${files} files): ${uri}`),
        onStart: (files, bytes) =>
          line(`dataset: uploading ${files} files (${formatBytes(bytes)}) from ${dir}`),
        onFile(done, total) {
          const text = `dataset: ${done}/${total} files (${Math.floor((100 * done) / total)}%)`;
          if (tty) {
            if (done < total && now() - lastAt < intervalMs) return;
            lastAt = now();
            write(`\r${text.padEnd(width)}${done === total ? '\n' : ''}`);
            width = text.length;
            return;
          }
          const decile = Math.floor((10 * done) / total);
          if (decile > lastDecile) {
            lastDecile = decile;
            line(text);
          }
        },
      };
    },
  };
}
