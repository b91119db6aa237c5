/** Runs the `contactable` command line: parse, dispatch, report errors on stderr with an exit code. */
import { parseArgs } from 'node:util';
import { globalOptions, type Command } from './command.js';
import { commandIndex } from './commands/index.js';
import { CliError, EXIT } from './errors.js';
import type { EventStore } from '@contactable/core';
import { escapeTerminal, processOutput, type Output } from './output.js';
import { isStoreError } from '@contactable/adapters-store';

// A store that went away mid-command (a server stopped, a connection dropped), not one refusing a request.
const lostConnection = (e: unknown): boolean =>
  isStoreError(e) && (/^(08|57P0)/.test(e.code ?? '') || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH)$/.test(e.code ?? '') || /connection (terminated|ended|closed)|terminating connection/i.test(e.message));

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
    '  --kek-file PATH the key-encryption key file (default: beside the store folder; PostgreSQL: CONTACTABLE_KEK_FILE)',
    '',
    'contactable COMMAND --help shows a command\'s options.',
  ].join('\n');

/** Where a run writes and which store it opens (tests give their own; the executable uses the process's). */
export interface CliIo {
  readonly output?: (json: boolean) => Output;
  readonly openStore?: (url: string) => Promise<EventStore>;
  /** Where errors go (default stderr). */
  readonly error?: (text: string) => void;
}

// Must match context.ts's DEFAULT_STORE (kept here so help needs no store code).
const DEFAULT_STORE = './.contactable';

/** Commands that hold the store for long: they let other processes have a turn between operations. */
const LONG_WORK: ReadonlySet<string> = new Set(['import', 'serve', 'demo', 'send', 'replay', 'retention', 'delete-leavers']);

/** Runs one invocation; returns the exit code (never throws). */
export const runCli = async (argv: ReadonlyArray<string>, io: CliIo = {}): Promise<number> => {
  // Everything the runner itself writes is escaped too: errors quote arguments, and messages that may carry an export's text.
  const toStderr = io.error ?? ((text: string) => void process.stderr.write(text));
  const err = (text: string): void => toStderr(escapeTerminal(text));
  const out = (text: string): void => void process.stdout.write(escapeTerminal(text));
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(`${help()}\n`);
    return name === undefined ? EXIT.usage : 0;
  }
  const entry = commandIndex.find((c) => c.name === name);
  if (entry === undefined) {
    err(`contactable: unknown command "${name}"\n\n${help()}\n`);
    return EXIT.usage;
  }
  // Only what this command needs is loaded (its module, and through it the packages it uses).
  const command: Command = await entry.load();
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options: { ...globalOptions, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    err(`contactable ${name}: ${(e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '')}\n\nusage: ${command.usage}\n`);
    return EXIT.usage;
  }
  if (parsed.values.help === true) {
    out(`${command.summary}\n\nusage: ${command.usage}\n`);
    return 0;
  }
  const json = parsed.values.json === true;
  const storeUrl = typeof parsed.values.store === 'string' ? parsed.values.store : (process.env.CONTACTABLE_STORE ?? DEFAULT_STORE);
  const schoolId = typeof parsed.values.school === 'string' ? parsed.values.school : 'default';
  const viewsUrl = typeof parsed.values.views === 'string' ? parsed.values.views : process.env.CONTACTABLE_VIEWS;
  const kekFile = typeof parsed.values['kek-file'] === 'string' ? parsed.values['kek-file'] : undefined;
  // On the embedded store, long work gives way to others between operations; a short look waits its turn,
  // says so, and runs with a small buffer cache (it reads a few rows).
  const long = LONG_WORK.has(name);
  const { createContext } = await import('./context.js');
  const ctx = createContext(
    (io.output ?? processOutput)(json),
    storeUrl,
    schoolId,
    viewsUrl === '' ? undefined : viewsUrl,
    {
    purpose: name === 'import' ? 'import' : name === 'serve' ? 'console' : `${name} command`,
    giveWay: long,
    onWait: (holder) => err(`waiting for the ${holder.purpose} (pid ${holder.pid}) to let the store go...\n`),
    ...(long ? {} : { settings: ['shared_buffers=16MB'] }),
    ...(kekFile === undefined ? {} : { kek: kekFile }),
    },
    ...(io.openStore !== undefined ? [io.openStore] : []),
  );
  try {
    await command.run(ctx, { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals });
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      err(`contactable ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    // An unexpected failure: say what happened without a stack (set CONTACTABLE_DEBUG=1 for one).
    err(`contactable ${name}: failed: ${(e as Error).message ?? String(e)}\n`);
    if (lostConnection(e)) {
      err('The store stopped answering part-way. Check that it is running and reachable, then run the command again: an import or retention records only what is still missing.\n');
    }
    if (process.env.CONTACTABLE_DEBUG === '1') err(`${(e as Error).stack ?? ''}\n`);
    return EXIT.failed;
  } finally {
    await ctx.close().catch(() => undefined);
  }
};
