/** Where the console's log lines go. Lines hold route patterns, counts, ids and timings: never personal values, never stacks. */

/** A logger. */
export interface Logger {
  readonly info: (line: string) => void;
  readonly error: (line: string) => void;
}

/** Lines to stdout and stderr. */
export const consoleLogger: Logger = { info: (l) => console.log(l), error: (l) => console.error(l) };

/** What may be said about an unexpected error: its name and system code, never its message (which could quote data) or its stack. */
export const errorName = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return `${e instanceof Error ? e.name : 'error'}${typeof code === 'string' ? ` (${code})` : ''}`;
};
