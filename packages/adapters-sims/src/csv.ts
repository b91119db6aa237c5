/**
 * CSV files read as a stream of rows (csv-parse), with the header checked for
 * required columns (matched without regard to case or surrounding spaces), short
 * or long rows caught, and every problem a typed error naming file, row and line.
 * Line ends may be mixed (decode.ts makes them all \n). The file's size, its rows and
 * the length of each row are bounded (import limits); values lose control characters
 * (other than tab and newline) as they are read, and the cleaner records where.
 */
import { once } from 'node:events';
import { parse, type CsvError } from 'csv-parse';
import { defaultImportLimits, type ImportLimits } from '@contactable/core';
import { decodeText } from './decode.js';
import { failWith, ParseFailure } from './errors.js';
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
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, info: true, relax_quotes: false, record_delimiter: '\n', max_record_size: limits.maxTextLength });
  // Stopping early (a bad row) aborts the feeding too, so a large file does not wait on a parser nobody reads.
  const stop = new AbortController();
  const feeding = (async () => {
    try {
      for await (const text of decodeText(source, { maxFileBytes: limits.maxFileBytes })) {
        if (stop.signal.aborted) return;
        if (!parser.write(text)) await once(parser, 'drain', { signal: stop.signal });
      }
      parser.end();
    } catch (e) {
      if (!stop.signal.aborted) parser.destroy(e as Error);
    }
  })();
  let header: string[] | null = null;
  let index = new Map<string, number>();
  let named = 0;
  let row = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item;
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
        continue;
      }
      row += 1;
      const line = info.lines;
      if (row > limits.maxRows) overLimit(file, { row, line }, `the file has more than ${count(limits.maxRows)} rows`, 'maxRows', `${count(limits.maxRows)} rows`);
      if (record.length < named) failWith('malformed-csv', file, { row, line }, `the row has ${record.length} fields where the header has ${named}: the file may be cut short, or a field holds an unquoted comma`);
      for (let i = header.length; i < record.length; i++) {
        if (record[i]!.trim() !== '') failWith('malformed-csv', file, { row, line }, `the row has more fields than the header (${record.length} > ${header.length})`);
      }
      const rec = record;
      const names = header;
      // Each value is cleaned once, however often it is read, so each field is counted once.
      const cleaned: Array<string | undefined> = [];
      onRow({
        row,
        line,
        get: (c) => {
          const i = index.get(norm(c));
          if (i === undefined) return '';
          let v = cleaned[i];
          if (v === undefined) {
            v = (rec[i] ?? '').trim();
            if (cleaner !== undefined) v = cleaner.clean(v, file, { row, line, field: names[i]!.trim() }).trim();
            cleaned[i] = v;
          }
          return v;
        },
        has: (c) => index.has(norm(c)),
      });
    }
  } catch (e) {
    if (e instanceof ParseFailure) throw e;
    if (e instanceof Error && 'code' in e && typeof (e as CsvError).code === 'string' && String((e as CsvError).code).startsWith('CSV_')) csvProblem(e as CsvError, file, row + 1, limits);
    if (e instanceof Error && 'code' in e && (e as CsvError).code === 'INVALID_OPENING_QUOTE') csvProblem(e as CsvError, file, row + 1, limits);
    throw e;
  } finally {
    stop.abort();
    parser.destroy();
    await feeding;
  }
  if (header === null) failWith('truncated', file, { line: 1 }, 'the file has no header row');
  return header!;
};
