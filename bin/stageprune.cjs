#!/usr/bin/env node
// The `stageprune` bin. Runs the TypeScript sources through tsx so that a fresh clone needs no build
// step and can never run stale output.
'use strict';
require('./exit-deadlock.cjs').avoidExitDeadlock();
require('tsx/cjs');
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then(
    (code) => process.exit(code),
    (err) => {
      console.error(err && err.stack ? err.stack : String(err));
      process.exit(1);
    },
  );
