/** Runs the `contactable` command line: parse, dispatch, report errors on stderr with an exit code. */
import { parseArgs } from 'node:util';
import { globalOptions, type Command } from './command.js';
import { commands } from './commands/index.js';
import { createContext, DEFAULT_STORE } from './context.js';
import { CliError, EXIT } from './errors.js';
import { escapeTerminal, processOutput } from './output.js';

// Everything the runner itself writes (errors quote arguments and messages that may carry an export's text).
const stdout = (text: string): void => {
  process.stdout.write(escapeTerminal(text));
};
const stderr = (text: string): void => {
  process.stderr.write(escapeTerminal(text));
};

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
    '  --views URL     where read models live for a store that keeps none (EventStoreDB): a folder or postgres://...',
    '  --json          one JSON document on stdout, nothing else there',
    '',
    'contactable COMMAND --help shows a command\'s options.',
  ].join('\n');

/** Runs one invocation; returns the exit code (never throws). */
export const runCli = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    stdout(`${help()}\n`);
    return name === undefined ? EXIT.usage : 0;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (command === undefined) {
    stderr(`contactable: unknown command "${name}"\n\n${help()}\n`);
    return EXIT.usage;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options: { ...globalOptions, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    stderr(`contactable ${name}: ${(e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '')}\n\nusage: ${command.usage}\n`);
    return EXIT.usage;
  }
  if (parsed.values.help === true) {
    stdout(`${command.summary}\n\nusage: ${command.usage}\n`);
    return 0;
  }
  const json = parsed.values.json === true;
  const storeUrl = typeof parsed.values.store === 'string' ? parsed.values.store : (process.env.CONTACTABLE_STORE ?? DEFAULT_STORE);
  const schoolId = typeof parsed.values.school === 'string' ? parsed.values.school : 'default';
  const viewsUrl = typeof parsed.values.views === 'string' ? parsed.values.views : process.env.CONTACTABLE_VIEWS;
  const ctx = createContext(processOutput(json), storeUrl, schoolId, viewsUrl === '' ? undefined : viewsUrl);
  try {
    await command.run(ctx, { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals });
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      stderr(`contactable ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    // An unexpected failure: say what happened without a stack (set CONTACTABLE_DEBUG=1 for one).
    stderr(`contactable ${name}: failed: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.CONTACTABLE_DEBUG === '1') stderr(`${(e as Error).stack ?? ''}\n`);
    return EXIT.failed;
  } finally {
    await ctx.close().catch(() => undefined);
  }
};
