/** Runs the `contactable` command line: parse, dispatch, report errors on stderr with an exit code. */
import { parseArgs } from 'node:util';
import { globalOptions, type Command } from './command.js';
import { commandIndex } from './commands/index.js';
import { CliError, EXIT } from './errors.js';
import { processOutput } from './output.js';

const help = (): string =>
  [
    'contactable: a school\'s contact data, kept right',
    '',
    'usage: contactable COMMAND [options]',
    '',
    'commands:',
    ...commandIndex.map((c) => `  ${c.name.padEnd(16)} ${c.summary}`),
    '',
    'every command takes:',
    `  --store URL     where the log is: a folder (default ${DEFAULT_STORE}), memory:, postgres://..., esdb://...`,
    '  --school ID     the school (default: default)',
    '  --views URL     where read models live for a store that keeps none (EventStoreDB): a folder or postgres://...',
    '  --json          one JSON document on stdout, nothing else there',
    '',
    'contactable COMMAND --help shows a command\'s options.',
  ].join('\n');

// Must match context.ts's DEFAULT_STORE (kept here so help needs no store code).
const DEFAULT_STORE = './.contactable';

/** Commands that hold the store for long: they let other processes have a turn between operations. */
const LONG_WORK: ReadonlySet<string> = new Set(['import', 'serve', 'demo', 'send', 'replay', 'retention', 'delete-leavers']);

/** Runs one invocation; returns the exit code (never throws). */
export const runCli = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? EXIT.usage : 0;
  }
  const entry = commandIndex.find((c) => c.name === name);
  if (entry === undefined) {
    process.stderr.write(`contactable: unknown command "${name}"\n\n${help()}\n`);
    return EXIT.usage;
  }
  // Only what this command needs is loaded (its module, and through it the packages it uses).
  const command: Command = await entry.load();
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
  const viewsUrl = typeof parsed.values.views === 'string' ? parsed.values.views : process.env.CONTACTABLE_VIEWS;
  // On the embedded store, long work gives way to others between operations; a short look waits its turn,
  // says so, and runs with a small buffer cache (it reads a few rows).
  const long = LONG_WORK.has(name);
  const { createContext } = await import('./context.js');
  const ctx = createContext(processOutput(json), storeUrl, schoolId, viewsUrl === '' ? undefined : viewsUrl, {
    purpose: name === 'import' ? 'import' : name === 'serve' ? 'console' : `${name} command`,
    giveWay: long,
    onWait: (holder) => process.stderr.write(`waiting for the ${holder.purpose} (pid ${holder.pid}) to let the store go...\n`),
    ...(long ? {} : { settings: ['shared_buffers=16MB'] }),
  });
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
    if (process.env.CONTACTABLE_DEBUG === '1') process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return EXIT.failed;
  } finally {
    await ctx.close().catch(() => undefined);
  }
};
