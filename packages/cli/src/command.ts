/** How a CLI command is declared: its name, usage, options and what it runs. */
import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from './context.js';

/** Parsed option values and positional arguments. */
export interface Args {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: ReadonlyArray<string>;
}

/** One `contactable` command. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Whether the command needs the store (all but `generate`). */
  readonly needsStore: boolean;
  readonly run: (ctx: CliContext, args: Args) => Promise<void>;
}

/** The options every command takes. */
export const globalOptions = {
  store: { type: 'string' },
  views: { type: 'string' },
  school: { type: 'string' },
  json: { type: 'boolean' },
  'kek-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Reads a string option. */
export const str = (args: Args, name: string): string | undefined => {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
};

/** Reads a repeatable string option. */
export const strs = (args: Args, name: string): string[] => {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
};

/** Reads a boolean flag. */
export const flag = (args: Args, name: string): boolean => args.values[name] === true;
