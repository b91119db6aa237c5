/**
 * Address-book CSV: people the MIS has no home for (an external governor). Columns
 * Reference, Forename, Surname, Email, Mobile (Reference, Forename and Surname required).
 * The core plans the upload and warns when a row names someone the MIS holds (R-IMP-11).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { AddressBookEntry } from '@contactable/core';
import { readCsv } from './csv.js';
import { failWith, toParseError, type ParseError } from './errors.js';
import type { ByteSource } from './source.js';

/** Parses an address-book CSV into entries. */
export const parseAddressBookCsv = async (source: ByteSource): Promise<E.Either<ParseError, ReadonlyArray<AddressBookEntry>>> => {
  const entries: AddressBookEntry[] = [];
  const refs = new Set<string>();
  try {
    await readCsv(source, ['Reference', 'Forename', 'Surname'], (r) => {
      const ref = r.get('Reference');
      if (ref === '') failWith('invalid-value', source.name, { row: r.row, line: r.line, field: 'Reference' }, 'must not be empty');
      if (refs.has(ref)) failWith('duplicate-id', source.name, { row: r.row, line: r.line, field: 'Reference' }, 'the same reference appears earlier in the file');
      refs.add(ref);
      entries.push({ ref, row: r.row, name: { given: r.get('Forename'), family: r.get('Surname') }, email: r.get('Email') || null, mobile: r.get('Mobile') || null });
    });
    return E.right(entries);
  } catch (e) {
    return E.left(toParseError(e, source.name));
  }
};
