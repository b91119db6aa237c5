/**
 * Output: with --json, exactly one JSON document on stdout and nothing else
 * there; otherwise human text. Progress and notes go to stderr.
 */
import Table from 'cli-table3';

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

/** A table cell: null prints as `-`. */
export type Cell = string | number | boolean | null;

// cli-table3 with its borders off: columns two spaces apart, a rule of dashes under the headers. It
// measures cells by their width on a terminal, so names with accents, CJK or emoji stay aligned.
const PLAIN = {
  chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '-', 'mid-mid': '  ', right: '', 'right-mid': '', middle: '  ' },
  style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
};

/** Renders rows as an aligned text table: headers, a rule, then one line per row (the one place text tables are drawn). */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Cell>>): string => {
  const t = new Table({ ...PLAIN, head: [...headers] });
  // With no rows cli-table3 draws no rule; an empty row brings it back, and its blank line is dropped below.
  for (const r of rows.length === 0 ? [headers.map(() => '')] : rows) t.push(r.map((c) => (c === null ? '-' : String(c))));
  const lines = t.toString().split('\n').map((l) => l.trimEnd());
  return (rows.length === 0 ? lines.slice(0, 2) : lines).join('\n');
};
