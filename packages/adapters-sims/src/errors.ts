/**
 * Bad input as a value: which file, and where (line and column, row, element,
 * field), with a message the office can act on. Never a raw parser exception,
 * never a personal value from the file.
 */

/** What kind of problem a file has. */
export type ParseErrorCode =
  | 'unreadable'
  | 'encoding'
  | 'binary'
  | 'malformed-xml'
  | 'malformed-csv'
  | 'truncated'
  | 'not-this-format'
  | 'missing-element'
  | 'missing-column'
  | 'missing-file'
  | 'duplicate-id'
  | 'invalid-value';

/** A file that could not be read as the format it claims to be. */
export interface ParseError {
  readonly _tag: 'ParseError';
  readonly code: ParseErrorCode;
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
  /** The 1-based data row of a CSV file (the header is row 0). */
  readonly row: number | null;
  /** The XML element at fault. */
  readonly element: string | null;
  /** The CSV column or XML child at fault. */
  readonly field: string | null;
  readonly message: string;
}

/** Where in a file a problem is. */
export interface Where {
  readonly line?: number | null;
  readonly column?: number | null;
  readonly row?: number | null;
  readonly element?: string | null;
  readonly field?: string | null;
}

const place = (file: string, w: Where): string => {
  const parts = [file];
  if (w.row != null) parts.push(`row ${w.row}`);
  if (w.line != null) parts.push(`line ${w.line}${w.column != null ? `, column ${w.column}` : ''}`);
  if (w.element != null) parts.push(`<${w.element}>`);
  if (w.field != null) parts.push(`field ${w.field}`);
  return parts.join(', ');
};

/** Builds a parse error; the message is prefixed with where it is. */
export const parseError = (code: ParseErrorCode, file: string, where: Where, what: string): ParseError => ({
  _tag: 'ParseError',
  code,
  file,
  line: where.line ?? null,
  column: where.column ?? null,
  row: where.row ?? null,
  element: where.element ?? null,
  field: where.field ?? null,
  message: `${place(file, where)}: ${what}`,
});

/** Thrown inside a parser and caught at its edge, so deep code can stop at the first bad record. */
export class ParseFailure extends Error {
  constructor(readonly error: ParseError) {
    super(error.message);
  }
}

/** Stops parsing with a typed error. */
export const failWith = (code: ParseErrorCode, file: string, where: Where, what: string): never => {
  throw new ParseFailure(parseError(code, file, where, what));
};

/** Turns anything thrown inside a parser into a typed error naming the file (an unexpected fault says so, without its text). */
export const toParseError = (e: unknown, file: string): ParseError =>
  e instanceof ParseFailure ? e.error : parseError('unreadable', file, {}, 'the file could not be read');
