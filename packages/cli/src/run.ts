/** Runs the `contactable` command line: parse, dispatch, report errors on stderr with an exit code. */
import { parseArgs } from 'node:util';
import { globalOptions, type Command } from './command.js';
import { commands } from './commands/index.js';
import { createContext, DEFAULT_STORE } from './context.js';
import { CliError, EXIT } from './errors.js';
import { processOutput } from './output.js';
import { isStoreError } from '@contactable/adapters-store';

const help = (): string =>
  [
    'contactable: a school\'s contact data, kept right',
    '',
    'usage: contactable COMMAND [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(16)} ${c.summary}`),
    '',
    'every command takes:',
    `  --store URL     where the log is: a folder (default ${DEFAULT_STORE}), memory:, postgres://..., esdb://...`,
    '  --school ID     the school (default: default)',
    '  --json          one JSON document on stdout, nothing else there',
    '',
    'contactable COMMAND --help shows a command\'s options.',
  ].join('\n');

/** Runs one invocation; returns the exit code (never throws). */
export const runCli = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? EXIT.usage : 0;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (command === undefined) {
    process.stderr.write(`contactable: unknown command "${name}"\n\n${help()}\n`);
    return EXIT.usage;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options: { ...globalOptions, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`contactable ${name}: ${(e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '')}\n\nusage: ${command.usage}\n`);
    return EXIT.usage;
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n`);
    return 0;
  }
  const json = parsed.values.json === true;
  const storeUrl = typeof parsed.values.store === 'string' ? parsed.values.store : (process.env.CONTACTABLE_STORE ?? DEFAULT_STORE);
  const schoolId = typeof parsed.values.school === 'string' ? parsed.values.school : 'default';
  const ctx = createContext(processOutput(json), storeUrl, schoolId);
  try {
    await command.run(ctx, { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals });
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`contactable ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    // An unexpected failure: say what happened without a stack (set CONTACTABLE_DEBUG=1 for one).
    process.stderr.write(`contactable ${name}: failed: ${(e as Error).message ?? String(e)}\n`);
    if (isStoreError(e)) {
      process.stderr.write('The store stopped answering part-way. Check that it is running and reachable, then run the command again: an import or retention records only what is still missing.\n');
    }
    if (process.env.CONTACTABLE_DEBUG === '1') process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return EXIT.failed;
  } finally {
    await ctx.close().catch(() => undefined);
  }
};
