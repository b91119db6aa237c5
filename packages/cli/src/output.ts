/**
 * Output: with --json, exactly one JSON document on stdout and nothing else
 * there; otherwise human text. Progress and notes go to stderr. Everything
 * written passes through one escaping function, so a value from an export or a
 * provider (a name holding ESC [ 2 J, an OSC 8 hyperlink, a right-to-left override)
 * is shown as visible text, never acted on by the terminal.
 */
import Table from 'cli-table3';

// C0 controls (tab and newline are handled by the caller's choice), DEL, C1 controls (CSI is U+009B),
// line and paragraph separators, and the bidirectional embeddings, overrides and isolates.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_OR_LAYOUT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHOWN: Readonly<Record<string, string>> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

const visible = (ch: string): string => {
  const shown = SHOWN[ch];
  if (shown !== undefined) return shown;
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * Text made safe for a terminal: control characters, DEL, C1 controls and bidirectional overrides
 * are written as visible escapes (ESC as \x1b). Newlines and tabs stay unless `oneLine` (a table
 * cell, where a newline in a name would forge a row).
 */
export const escapeTerminal = (text: string, oneLine = false): string => text.replace(oneLine ? UNSAFE_OR_LAYOUT : UNSAFE, visible);

// JSON.stringify escapes C0 controls but leaves DEL, C1 controls and the rest raw: escape those as JSON does (same value).
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A value as pretty JSON that no terminal acts on (still the same value to a JSON reader). */
export const terminalJson = (value: unknown): string => JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

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
    if (!json) process.stdout.write(`${escapeTerminal(text)}\n`);
  },
  result: (value, human) => {
    if (json) process.stdout.write(`${terminalJson(value)}\n`);
    else human();
  },
  note: (text) => {
    process.stderr.write(`${escapeTerminal(text)}\n`);
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
  // Cells are escaped on one line: a newline in a name would forge a row, an escape sequence would redraw the screen.
  for (const r of rows.length === 0 ? [headers.map(() => '')] : rows) t.push(r.map((c) => (c === null ? '-' : escapeTerminal(String(c), true))));
  const lines = t.toString().split('\n').map((l) => l.trimEnd());
  return (rows.length === 0 ? lines.slice(0, 2) : lines).join('\n');
};
