// Preloaded by test/run-tests.cjs into every test file's process. Once the file's tests are done (its root
// `after` hook), a process still alive a grace period later is held open by something a test leaked (an
// interval, a socket, a worker): it is ended with a message and a failing exit code, instead of keeping the
// whole run waiting forever. node's --test-force-exit would do the same but cuts off the summary reporter.
// It also sets the V8 flags that keep a finished process from hanging in Node's exit (bin/exit-deadlock.cjs).
import { after } from 'node:test';
import { setTimeout } from 'node:timers';
import { avoidExitDeadlock } from '../../bin/exit-deadlock.cjs';

avoidExitDeadlock();

const graceMs = Number(process.env.STAGEPRUNE_TEST_EXIT_GRACE_MS || 30_000);

after(() => {
  setTimeout(() => {
    process.stderr.write(
      `\nrun-tests: ${process.argv[1] ?? 'a test file'} was still running ${graceMs / 1000} s after its tests ` +
        'finished (a leaked handle); ending it\n',
    );
    process.exit(1);
  }, graceMs).unref();
});
