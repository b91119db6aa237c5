/**
 * Address-book CSV: people the MIS has no home for (an external governor). Columns
 * Reference, Forename, Surname, Email, Mobile (Reference, Forename and Surname required).
 * The core plans the upload and warns when a row names someone the MIS holds (R-IMP-11).
 * The import limits apply as to any export; control characters are removed from values,
 * and the upload's warnings say where.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { AddressBookEntry, ImportLimitsOverride, SnapshotWarning } from '@contactable/core';
import { readCsv } from './csv.js';
import { failWith, toParseError, type ParseError } from './errors.js';
import { fieldChecks, limitsFrom, TextCleaner } from './limits.js';
import type { ByteSource } from './source.js';

/** What an address-book file holds, and what the office should know about reading it. */
export interface AddressBookUpload {
  readonly entries: ReadonlyArray<AddressBookEntry>;
  readonly warnings: ReadonlyArray<SnapshotWarning>;
}

/** Options of the address-book parser. */
export interface AddressBookOptions {
  /** Limits over the defaults (the import settings' `limits`). */
  readonly limits?: ImportLimitsOverride;
}

/** Parses an address-book CSV into entries. */
export const parseAddressBookCsv = async (source: ByteSource, options: AddressBookOptions = {}): Promise<E.Either<ParseError, AddressBookUpload>> => {
  const entries: AddressBookEntry[] = [];
  const refs = new Set<string>();
  const limits = limitsFrom(options.limits);
  const checks = fieldChecks(() => source.name, limits);
  const cleaner = new TextCleaner();
  try {
    await readCsv(
      source,
      ['Reference', 'Forename', 'Surname'],
      (r) => {
        const at = (field: string) => ({ row: r.row, line: r.line, field });
        const ref = r.get('Reference');
        if (ref === '') failWith('invalid-value', source.name, at('Reference'), 'must not be empty');
        if (refs.has(ref)) failWith('duplicate-id', source.name, at('Reference'), 'the same reference appears earlier in the file');
        refs.add(ref);
        entries.push({
          ref,
          row: r.row,
          name: { given: checks.name(r.get('Forename'), at('Forename')), family: checks.name(r.get('Surname'), at('Surname')) },
          email: checks.email(r.get('Email'), at('Email')) || null,
          mobile: checks.phone(r.get('Mobile'), at('Mobile')) || null,
        });
      },
      { limits, cleaner },
    );
    return E.right({ entries, warnings: cleaner.warnings() });
  } catch (e) {
    return E.left(toParseError(e, source.name));
  }
};
