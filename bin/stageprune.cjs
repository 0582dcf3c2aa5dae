#!/usr/bin/env node
// The `stageprune` bin. Runs the TypeScript sources through tsx so that a fresh clone needs no build
// step and can never run stale output.
'use strict';
// The AWS SDK warns on every start that future releases will need Node 22; Node 20 is our pinned runtime.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
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
