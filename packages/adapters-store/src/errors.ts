/** Store failures the caller can act on: they name the store (password masked), never personal values. */

/** A store could not be opened or used: the URL (password masked), what failed and, when known, the database's error code. */
export class StoreError extends Error {
  /** Tells a StoreError apart from other errors without `instanceof`. */
  readonly _tag = 'StoreError' as const;
  /** The store's URL or folder, with any password replaced by `***`. */
  readonly url: string;
  /** The database's own error code (e.g. a PostgreSQL SQLSTATE), when there is one. */
  readonly code: string | undefined;

  /** Builds the error; `url` is masked here so no caller can forget to. */
  constructor(url: string, message: string, code?: string) {
    super(`${maskUrl(url)}: ${maskUrl(message)}`);
    this.name = 'StoreError';
    this.url = maskUrl(url);
    this.code = code;
  }
}

/** True when a value is a StoreError (also across copies of this module). */
export const isStoreError = (e: unknown): e is StoreError =>
  typeof e === 'object' && e !== null && (e as { _tag?: unknown })._tag === 'StoreError';

/** Replaces the password of every URL in a text with `***` (`postgres://user:***@host/db`); other text is kept. */
export const maskUrl = (text: string): string =>
  text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@?#\s]*:)[^@/?#\s]*@/gi, '$1***@')
    .replace(/([?&]password=)[^&#\s]*/gi, '$1***');

/** The SQLSTATE (or similar) code of a driver error, if it has one. */
export const errorCode = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

// Driver errors can carry values: PGlite attaches the query's parameters, PostgreSQL's detail quotes
// rows, and some messages end in the offending input (`invalid input syntax for type json: "..."`).
// Keep the first line of the message only, without a quoted value after a colon, cut short.
const safeMessage = (e: unknown): string => {
  const raw = e instanceof Error ? e.message : String(e);
  const line = (raw.split('\n')[0] ?? '').replace(/: "[^]*$/, ': "..."');
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
};

/** Wraps a driver error as a StoreError saying what we were doing; the driver's detail (which may quote values) is dropped. */
export const storeError = (url: string, doing: string, e: unknown): StoreError =>
  isStoreError(e) ? e : new StoreError(url, `${doing} failed: ${safeMessage(e)}`, errorCode(e));
