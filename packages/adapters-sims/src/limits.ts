/**
 * Hostile input: the import limits as parsers apply them (each refusal names the limit and
 * where), field checks on names, emails and phone numbers, and the removal of control
 * characters, which is recorded (file, row, field; never the value) so the office sees it.
 */
import { defaultImportLimits, type ImportLimits, type ImportLimitsOverride, type SnapshotWarning } from '@contactable/core';
import { failWith, placeOf, type Where } from './errors.js';

/** The limits a parser applies: the defaults with the given ones laid over them. */
export const limitsFrom = (given: ImportLimitsOverride | undefined): ImportLimits => ({ ...defaultImportLimits, ...given });

/** A number as the office reads it (10,000). */
export const count = (n: number): string => n.toLocaleString('en-GB');

/** A size in bytes as the office reads it (256 MiB). */
export const byteSize = (n: number): string => {
  for (const [unit, size] of [['GiB', 1 << 30], ['MiB', 1 << 20], ['KiB', 1 << 10]] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
};

/** Stops a parser: `what` is over `limit`, with the limit's value and where to change it. */
export const overLimit = (file: string, where: Where, what: string, limit: keyof ImportLimits, value: string): never =>
  failWith('over-limit', file, where, `${what}, over the limit of ${value} (limits.${limit} in the import settings)`, limit);

/** Checks on the fields a hostile export would blow up: each returns the value, or stops the parse. */
export interface FieldChecks {
  readonly name: (value: string, where: Where) => string;
  readonly email: (value: string, where: Where) => string;
  readonly phone: (value: string, where: Where) => string;
}

const DIGIT = /\p{Nd}/gu;

/** The field checks of one file under some limits. */
export const fieldChecks = (file: () => string, limits: ImportLimits): FieldChecks => ({
  name: (value, where) =>
    value.length > limits.maxNameLength ? overLimit(file(), where, `the name is ${count(value.length)} characters long`, 'maxNameLength', `${count(limits.maxNameLength)} characters`) : value,
  email: (value, where) =>
    value.length > limits.maxEmailLength ? overLimit(file(), where, `the email address is ${count(value.length)} characters long`, 'maxEmailLength', `${count(limits.maxEmailLength)} characters`) : value,
  phone: (value, where) => {
    // Counting is only worth it once the value could be over.
    if (value.length <= limits.maxPhoneDigits) return value;
    const digits = value.match(DIGIT)?.length ?? 0;
    return digits > limits.maxPhoneDigits ? overLimit(file(), where, `the phone number has ${count(digits)} digits`, 'maxPhoneDigits', `${count(limits.maxPhoneDigits)} digits`) : value;
  },
});

// C0 controls but tab (09) and newline (0A), DEL, and the C1 controls (U+0080-U+009F, which include CSI).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const LISTED = 10;

/** The warning code for removed control characters. */
export const CONTROL_CHARACTERS_REMOVED = 'control-characters-removed';

/** True when a value holds a control character other than tab and newline. */
export const hasControlCharacters = (value: string): boolean => CONTROL.test(value);

/**
 * Removes control characters (other than tab and newline) from the values of an export and
 * keeps where it did, so the snapshot can say so: escape sequences, OSC 8 hyperlinks and the
 * like in a name would otherwise rewrite what a member of staff sees on a terminal.
 */
export class TextCleaner {
  private readonly places: string[] = [];
  private removed = 0;

  /** The value without control characters; a change is recorded against the file and place. */
  clean(value: string, file: string, where: Where): string {
    if (!CONTROL.test(value)) return value;
    this.removed += 1;
    if (this.places.length < LISTED) this.places.push(placeOf(file, where));
    return value.replace(CONTROLS, '');
  }

  /** How many fields had control characters removed. */
  get fields(): number {
    return this.removed;
  }

  /** The warning to carry into the plan, if anything was removed. */
  warnings(): SnapshotWarning[] {
    if (this.removed === 0) return [];
    const more = this.removed - this.places.length;
    return [
      {
        code: CONTROL_CHARACTERS_REMOVED,
        message:
          `control characters (other than tab and newline) were removed from ${count(this.removed)} field(s): ${this.places.join('; ')}` +
          `${more > 0 ? ` and ${count(more)} more` : ''}. Correct the record(s) in the MIS.`,
      },
    ];
  }
}
