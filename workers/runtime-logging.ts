let installed = false;

/**
 * Installs the Temporal worker runtime with a log level. Worker state changes log at INFO, which drowns the
 * CLI's and tests' own output; they use WARN. Must run before the first worker is created in a process.
 */
export async function installWorkerRuntime(
  level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = 'WARN',
): Promise<void> {
  if (installed) return;
  const { Runtime, DefaultLogger } = await import('@temporalio/worker');
  Runtime.install({ logger: new DefaultLogger(level) });
  installed = true;
}
