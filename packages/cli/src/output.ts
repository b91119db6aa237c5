/**
 * Output: with --json, exactly one JSON document on stdout and nothing else
 * there; otherwise human text. Progress and notes go to stderr.
 */

/** Where a command writes. */
export interface Output {
  readonly json: boolean;
  /** Human text (ignored under --json). */
  readonly line: (text?: string) => void;
  /** The command's result: printed as JSON under --json, else rendered by `human`. */
  readonly result: (value: unknown, human: () => void) => void;
  /** A note for a person (stderr), e.g. a warning. */
  readonly note: (text: string) => void;
}

/** The process's output. */
export const processOutput = (json: boolean): Output => ({
  json,
  line: (text = '') => {
    if (!json) process.stdout.write(`${text}\n`);
  },
  result: (value, human) => {
    if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else human();
  },
  note: (text) => {
    process.stderr.write(`${text}\n`);
  },
});

/** Renders rows as an aligned text table. */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null>>): string => {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: ReadonlyArray<string>) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(cells[0]!), fmt(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(fmt)].join('\n');
};
