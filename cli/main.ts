import { commands } from './commands';
import { isStagepruneError } from '../core/errors';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: stageprune <verb> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'stageprune <verb> --help shows the options of one verb.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(usage());
    return verb === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === verb);
  if (!command) {
    console.error(`stageprune: unknown verb '${verb}'\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (isStagepruneError(err)) {
      console.error(`stageprune ${verb}: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
