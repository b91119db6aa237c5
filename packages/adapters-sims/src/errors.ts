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
  | 'invalid-value'
  /** Over one of the import limits (`limit` names it). */
  | 'over-limit'
  /** A section or record the format does not have (a misspelt `<CTFPupilData>`). */
  | 'unknown-element'
  /** A row that refers to someone the export does not hold (a contact row for an unknown pupil). */
  | 'unknown-reference'
  /** The same id given twice with different details. */
  | 'conflicting-duplicate'
  /** An export that holds no pupils (importing it would mark every pupil a leaver). */
  | 'no-pupils'
  /** A zip archive that is damaged, or packed in a way we do not read. */
  | 'corrupt-archive'
  /** A zip archive with entries that climb out of the folder, repeat, or lie about their size. */
  | 'unsafe-archive';

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
  /** The import limit the file went over (e.g. `maxNameLength`), for `over-limit`. */
  readonly limit: string | null;
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

/** Where a problem is, as text: "contacts.csv, row 3, line 4, field Priority" (the file left out when ''). */
export const placeOf = (file: string, w: Where): string => {
  const parts = file === '' ? [] : [file];
  if (w.row != null) parts.push(`row ${w.row}`);
  if (w.line != null) parts.push(`line ${w.line}${w.column != null ? `, column ${w.column}` : ''}`);
  if (w.element != null) parts.push(`<${w.element}>`);
  if (w.field != null) parts.push(`field ${w.field}`);
  return parts.join(', ');
};

/** Builds a parse error; the message is prefixed with where it is. */
export const parseError = (code: ParseErrorCode, file: string, where: Where, what: string, limit: string | null = null): ParseError => ({
  _tag: 'ParseError',
  code,
  file,
  line: where.line ?? null,
  column: where.column ?? null,
  row: where.row ?? null,
  element: where.element ?? null,
  field: where.field ?? null,
  limit,
  message: `${placeOf(file, where)}: ${what}`,
});

/** Thrown inside a parser and caught at its edge, so deep code can stop at the first bad record. */
export class ParseFailure extends Error {
  constructor(readonly error: ParseError) {
    super(error.message);
  }
}

/** Stops parsing with a typed error. */
export const failWith = (code: ParseErrorCode, file: string, where: Where, what: string, limit: string | null = null): never => {
  throw new ParseFailure(parseError(code, file, where, what, limit));
};

const FS_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'the file does not exist: check the path',
  EACCES: 'permission to read the file is denied',
  EPERM: 'permission to read the file is denied',
  EISDIR: 'this is a folder, not a file',
  EMFILE: 'too many files are open: try again',
  EIO: 'the disk could not be read',
};

/** Turns anything thrown inside a parser into a typed error naming the file (an unexpected fault says so, without its text). */
export const toParseError = (e: unknown, file: string): ParseError => {
  if (e instanceof ParseFailure) return e.error;
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  return parseError('unreadable', file, {}, FS_PROBLEMS[code] ?? 'the file could not be read');
};
