/**
 * CSV files read as a stream of rows (csv-parse), with the header checked for
 * required columns (matched without regard to case or surrounding spaces), short
 * or long rows caught, and every problem a typed error naming file, row and line.
 * Line ends may be mixed (decode.ts makes them all \n). The file's size, its rows and
 * the length of each row are bounded (import limits); values lose control characters
 * (other than tab and newline) as they are read, and the cleaner records where.
 */
import { parse, type CsvError } from 'csv-parse';
import { defaultImportLimits, type ImportLimits } from '@contactable/core';
import { decodeText } from './decode.js';
import { failWith } from './errors.js';
import { count, overLimit, type TextCleaner } from './limits.js';
import type { ByteSource } from './source.js';

/** One data row. */
export interface CsvRecord {
  /** 1-based data row (the header is row 0). */
  readonly row: number;
  /** The line the row starts on. */
  readonly line: number;
  /** The trimmed value of a column ('' when the column is absent or empty). */
  readonly get: (column: string) => string;
  /** True when the file has the column. */
  readonly has: (column: string) => boolean;
}

const norm = (s: string): string => s.trim().toLowerCase();

/** How a CSV file is read. */
export interface CsvOptions {
  readonly limits?: ImportLimits;
  /** Removes control characters from the values read, recording where. */
  readonly cleaner?: TextCleaner;
}

const csvProblem = (e: CsvError, file: string, rowsSeen: number, limits: ImportLimits): never => {
  // The parser reads ahead of the rows handed out; its own count says which row is at fault.
  // (its count includes the header row, which is row 0, so it equals the 1-based data row at fault)
  const row = typeof e['records'] === 'number' ? (e['records'] as number) : rowsSeen;
  const line = typeof e['lines'] === 'number' ? (e['lines'] as number) : null;
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') return failWith('truncated', file, { row, line }, 'a quoted field is never closed: the file may have been cut short');
  if (e.code === 'CSV_MAX_RECORD_SIZE') return overLimit(file, { row, line }, 'the row is too long (or a quoted field is never closed)', 'maxTextLength', `${count(limits.maxTextLength)} characters`);
  return failWith('malformed-csv', file, { row, line }, `the row is not well-formed CSV (${e.code})`);
};

/** Reads a CSV source row by row; `required` columns must be in the header. */
export const readCsv = async (
  source: ByteSource,
  required: ReadonlyArray<string>,
  onRow: (r: CsvRecord) => void,
  options: CsvOptions = {},
): Promise<ReadonlyArray<string>> => {
  const file = source.name;
  const limits = options.limits ?? defaultImportLimits;
  const cleaner = options.cleaner;
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, relax_quotes: false, record_delimiter: '\n', max_record_size: limits.maxTextLength });
  // Records are taken as the parser makes them (its 'data' events fire during write), each with the parser's
  // line count at that moment: no promise per row, and no per-row info object (both cost more than the parse).
  const made: Array<{ readonly record: string[]; readonly line: number }> = [];
  let failure: unknown = null;
  parser.on('data', (record: string[]) => made.push({ record, line: parser.info.lines }));
  parser.on('error', (e: unknown) => {
    failure ??= e;
  });
  const ended = new Promise<void>((resolve) => {
    parser.once('end', resolve);
    parser.once('close', resolve);
    parser.once('error', () => resolve());
  });
  let header: string[] | null = null;
  let index = new Map<string, number>();
  let named = 0;
  let row = 0;

  const take = ({ record, line }: { readonly record: string[]; readonly line: number }): void => {
    if (header === null) {
      header = record.map((h) => h.replace(/^\uFEFF/, ''));
      index = new Map();
      header.forEach((h, i) => {
        const k = norm(h);
        if (k !== '' && !index.has(k)) index.set(k, i);
      });
      named = header.reduce((n, h, i) => (h.trim() !== '' ? i + 1 : n), 0);
      const missing = required.filter((c) => !index.has(norm(c)));
      if (missing.length > 0) failWith('missing-column', file, { row: 0, line: 1, field: missing.join(', ') }, `the header lacks the required column(s) ${missing.map((m) => `"${m}"`).join(', ')}`);
      return;
    }
    row += 1;
    if (row > limits.maxRows) overLimit(file, { row, line }, `the file has more than ${count(limits.maxRows)} rows`, 'maxRows', `${count(limits.maxRows)} rows`);
    if (record.length < named) failWith('malformed-csv', file, { row, line }, `the row has ${record.length} fields where the header has ${named}: the file may be cut short, or a field holds an unquoted comma`);
    const names = header;
    for (let i = names.length; i < record.length; i++) {
      if (record[i]!.trim() !== '') failWith('malformed-csv', file, { row, line }, `the row has more fields than the header (${record.length} > ${names.length})`);
    }
    // Each value is cleaned once, however often it is read, so each field is counted once.
    const cleaned: Array<string | undefined> = [];
    const at = row;
    onRow({
      row: at,
      line,
      get: (c) => {
        const i = index.get(norm(c));
        if (i === undefined) return '';
        let v = cleaned[i];
        if (v === undefined) {
          v = (record[i] ?? '').trim();
          if (cleaner !== undefined) v = cleaner.clean(v, file, { row: at, line, field: names[i]!.trim() }).trim();
          cleaned[i] = v;
        }
        return v;
      },
      has: (c) => index.has(norm(c)),
    });
  };

  // The rows made so far, in order; then the parser's own error, if it stopped on one.
  const drain = (): void => {
    for (let i = 0; i < made.length; i++) take(made[i]!);
    made.length = 0;
    if (failure !== null) {
      const e = failure;
      if (e instanceof Error && 'code' in e && (String((e as CsvError).code).startsWith('CSV_') || (e as CsvError).code === 'INVALID_OPENING_QUOTE')) csvProblem(e as CsvError, file, row + 1, limits);
      throw e;
    }
  };

  try {
    for await (const text of decodeText(source, { maxFileBytes: limits.maxFileBytes })) {
      parser.write(text);
      drain();
    }
    parser.end();
    await ended;
    drain();
  } finally {
    parser.destroy();
  }
  if (header === null) failWith('truncated', file, { line: 1 }, 'the file has no header row');
  return header!;
};
