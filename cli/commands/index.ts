import type { CliCommand } from '../command';
import { stackCommand } from './stack';
import { doctorCommand } from './doctor';
import { demoCommand } from './demo';
import { runCommand } from './run';
import { statusCommand } from './status';
import { reportCommand } from './report';
import { modelCommand } from './model';
import { trainCommand } from './train';
import { finetuneCommand } from './finetune';
import { evalCommand } from './eval';
import { benchCommand } from './bench';
import { pruneCommand } from './prune';
import { quantizeCommand } from './quantize';

/** Every verb the CLI knows; add one line per new verb. */
export const commands: readonly CliCommand[] = [
  stackCommand,
  doctorCommand,
  demoCommand,
  runCommand,
  statusCommand,
  reportCommand,
  modelCommand,
  trainCommand,
  finetuneCommand,
  evalCommand,
  benchCommand,
  pruneCommand,
  quantizeCommand,
];
