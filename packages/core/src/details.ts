/** Well-formed email addresses and mobile numbers (R-CON-1), kept as held with a validity flag. */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Detail } from './events/common.js';

// Practical, not RFC 5322: one @, no spaces, a dotted domain of valid labels, a TLD of letters.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** True when an email address is well formed. */
export const isValidEmail = (address: string): boolean =>
  address.length <= 254 && EMAIL.test(address) && !address.split('@')[0]!.startsWith('.') && !address.includes('..');

/** An email detail as held: trimmed, with its validity and MIS location. */
export const emailDetail = (raw: string, location: string): Detail => {
  const value = raw.trim();
  return { value, valid: isValidEmail(value), location };
};

/**
 * A mobile number in E.164 when it is a well-formed number that can take texts
 * (mobile, or a region where fixed and mobile cannot be told apart); otherwise null.
 */
export const normaliseMobile = (raw: string, defaultRegion: 'GB' | 'US' | 'IE' = 'GB'): string | null => {
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultRegion);
  if (parsed === undefined || !parsed.isValid()) return null;
  const type = parsed.getType();
  if (type !== undefined && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE' && type !== 'PERSONAL_NUMBER') return null;
  return parsed.number;
};

/** A mobile detail as held: E.164 when valid, the trimmed original when not (R-CON-1). */
export const mobileDetail = (raw: string, location: string, defaultRegion: 'GB' | 'US' | 'IE' = 'GB'): Detail => {
  const e164 = normaliseMobile(raw, defaultRegion);
  return e164 === null ? { value: raw.trim(), valid: false, location } : { value: e164, valid: true, location };
};

/** Two details are the same when value, validity and location match. */
export const sameDetail = (a: Detail | null, b: Detail | null): boolean =>
  a === null || b === null ? a === b : a.value === b.value && a.valid === b.valid && a.location === b.location;

/** The address or number changed (a new location alone is not a new detail). */
export const sameValue = (a: Detail | null, b: Detail | null): boolean =>
  a === null || b === null ? a === b : a.value.toLowerCase() === b.value.toLowerCase();
