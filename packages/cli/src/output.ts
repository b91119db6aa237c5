/**
 * Output: with --json, exactly one JSON document on stdout and nothing else
 * there; otherwise human text. Progress and notes go to stderr. Everything
 * written passes through one escaping function, so a value from an export or a
 * provider (a name holding ESC [ 2 J, an OSC 8 hyperlink, a right-to-left override)
 * is shown as visible text, never acted on by the terminal.
 */

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
 * are written as visible escapes (ESC as \x1b). Newlines and tabs stay unless `oneLine` (where a
 * newline would forge a line of its own).
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
    if (!json) process.stdout.write(`${fitText(escapeTerminal(text))}\n`);
  },
  result: (value, human) => {
    if (json) process.stdout.write(`${terminalJson(value)}\n`);
    else human();
  },
  note: (text) => {
    process.stderr.write(`${escapeTerminal(text)}\n`);
  },
});

/** The width tables fit: the terminal's, else COLUMNS, else 100 (output piped to a file or a pager). */
export const outputWidth = (): number => {
  const tty = process.stdout.isTTY === true ? process.stdout.columns : undefined;
  const env = Number(process.env.COLUMNS);
  const w = tty ?? (Number.isInteger(env) && env > 0 ? env : 100);
  return Math.max(40, w);
};

/** Text fitted to the width: a longer line wraps at spaces, its continuation indented under its start (tables already fit). */
export const fitText = (text: string, width: number = outputWidth()): string =>
  text
    .split('\n')
    .map((line) => {
      if (line.length <= width) return line;
      const indent = /^\s*/.exec(line)![0];
      const more = `${indent}  `;
      const body = wrap(line.slice(indent.length), Math.max(20, width - more.length));
      return body.map((l, i) => `${i === 0 ? indent : more}${l}`).join('\n');
    })
    .join('\n');

const GAP = 2;
const MIN_COLUMN = 4;

/** Splits text into lines of at most `width` characters, at spaces where it can, mid-word where it must. */
export const wrap = (text: string, width: number): string[] => {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line !== '' && line.length + 1 + word.length <= width) {
        line = `${line} ${word}`;
        continue;
      }
      if (line !== '') lines.push(line);
      let w = word;
      while (w.length > width) {
        lines.push(w.slice(0, width));
        w = w.slice(width);
      }
      line = w;
    }
    lines.push(line);
  }
  return lines;
};

/** The most a column asks to keep whole: its longest word (so headers and names do not break mid-word), up to this. */
const MAX_WORD = 14;

/**
 * Column widths that fit `width`. Each column keeps its longest word whole where the width allows,
 * and what is left goes to the columns in proportion to how much more they would take; when even
 * the words do not fit, columns narrower than a fair share keep their width and the rest share.
 */
const fit = (natural: ReadonlyArray<number>, words: ReadonlyArray<number>, width: number): number[] => {
  const available = Math.max(natural.length * MIN_COLUMN, width - GAP * (natural.length - 1));
  if (natural.reduce((a, b) => a + b, 0) <= available) return [...natural];
  const mins = natural.map((n, i) => Math.min(n, Math.max(MIN_COLUMN, Math.min(MAX_WORD, words[i]!))));
  const minSum = mins.reduce((a, b) => a + b, 0);
  if (minSum <= available) {
    const want = natural.map((n, i) => n - mins[i]!);
    const wantSum = want.reduce((a, b) => a + b, 0);
    const extra = available - minSum;
    return mins.map((m, i) => m + Math.floor((extra * want[i]!) / wantSum));
  }
  const out = natural.map(() => 0);
  let left = available;
  let open = natural.map((_, i) => i);
  for (;;) {
    const share = Math.floor(left / open.length);
    const small = open.filter((i) => natural[i]! <= share);
    if (small.length === 0) {
      // What is left goes to the wide columns in proportion to their widths.
      const total = open.reduce((n, i) => n + natural[i]!, 0);
      let given = 0;
      open.forEach((i) => {
        out[i] = Math.max(MIN_COLUMN, Math.floor((left * natural[i]!) / total));
        given += out[i]!;
      });
      for (let k = 0; given > left && k < open.length * MIN_COLUMN; k++) {
        const i = open.reduce((a, b) => (out[b]! > out[a]! ? b : a));
        if (out[i]! <= MIN_COLUMN) break;
        out[i] = out[i]! - 1;
        given -= 1;
      }
      return out;
    }
    for (const i of small) {
      out[i] = natural[i]!;
      left -= natural[i]!;
    }
    open = open.filter((i) => !small.includes(i));
    if (open.length === 0) return out;
  }
};

/**
 * Renders rows as an aligned text table that fits the output's width: long cells wrap onto more
 * lines within their column. The one table of every command's text output.
 */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null>>, width: number = outputWidth()): string => {
  // Cells keep their newlines (a cell wraps onto lines of its own column) and lose every other control character and tab.
  const cell = (c: string | number | boolean | null): string => (c === null ? '-' : escapeTerminal(String(c)).replace(/\t/g, '\\t'));
  const cells = [headers.map(cell), ...rows.map((r) => r.map(cell))];
  const natural = headers.map((_, i) => Math.max(...cells.map((r) => Math.max(...(r[i] ?? '').split('\n').map((l) => l.length)))));
  const words = headers.map((_, i) => Math.max(...cells.map((r) => Math.max(...(r[i] ?? '').split(/[\s\n]+/).map((w) => w.length)))));
  const widths = fit(natural, words, width);
  const render = (r: ReadonlyArray<string>): string[] => {
    const wrapped = widths.map((w, i) => wrap(r[i] ?? '', w));
    const height = Math.max(...wrapped.map((l) => l.length));
    const out: string[] = [];
    for (let k = 0; k < height; k++) out.push(wrapped.map((l, i) => (l[k] ?? '').padEnd(widths[i]!)).join(' '.repeat(GAP)).trimEnd());
    return out;
  };
  return [...render(cells[0]!), widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)), ...cells.slice(1).flatMap(render)].join('\n');
};
