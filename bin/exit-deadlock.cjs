// V8 flags that keep a Node 24 process from hanging for ever as it exits (nodejs/node#54918, #64274): at exit
// the main thread joins V8's worker threads while a concurrent Maglev or Sparkplug compile job on one of them
// waits for a garbage collection only the main thread can run. Without Maglev and concurrent Sparkplug jobs
// there is nothing to park there; TurboFan stays as it is. What the flags cost: docs/BENCHMARKS.md.
//
// Plain CommonJS so that bin/stageprune.cjs can load it before tsx, ahead of any compile job.
'use strict';
const { setFlagsFromString } = require('node:v8');

const EXIT_DEADLOCK_V8_FLAGS = Object.freeze(['--no-maglev', '--no-concurrent-sparkplug']);

// Turns the flags on in this process, first thing in an entry point. V8 reads both where it decides how to
// compile, so setting them at run time holds for everything compiled afterwards.
function avoidExitDeadlock() {
  for (const flag of EXIT_DEADLOCK_V8_FLAGS) setFlagsFromString(flag);
}

module.exports = { avoidExitDeadlock };
