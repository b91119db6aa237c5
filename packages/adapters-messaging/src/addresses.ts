/** Addresses as providers report them, made comparable with the details contacts hold. */
import { normaliseMobile, type Channel } from '@contactable/core';

/** An email lowercased and trimmed; a number in E.164 (UK national forms and bare international digits accepted). */
export const normaliseAddress = (channel: Channel, raw: string): string => {
  const value = raw.trim();
  if (channel === 'email') return value.toLowerCase();
  const e164 = normaliseMobile(value) ?? (/^\d{10,15}$/.test(value) ? normaliseMobile(`+${value}`) : null);
  return e164 ?? value.replace(/[\s().-]/g, '');
};
