/** Provider error texts may quote the recipient: keep addresses and numbers out of our errors and logs. */

// Anything with an @ in it, well formed or not: a malformed address is still someone's.
const EMAIL = /[^\s<>()"',;:]*@[^\s<>()"',;:]*/g;
// Seven or more digits, with the separators people and providers put in numbers.
const PHONE = /\+?\d[\d\s().-]{5,}\d/g;

/** Replaces email addresses and phone numbers in a text with placeholders, and bounds its length. */
export const redact = (text: string, max = 300): string => {
  const clean = text.replace(EMAIL, '[address]').replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 7 ? '[number]' : m)).replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
};

/** A provider URL with its credentials masked, safe to print. */
export const maskUrl = (raw: string): string => {
  try {
    const u = new URL(raw);
    if (u.username !== '' || u.password !== '') {
      u.username = u.username === '' ? '' : '***';
      u.password = u.password === '' ? '' : '***';
    }
    for (const key of [...u.searchParams.keys()]) {
      if (/key|token|secret|password|auth/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    // Not a URL we can parse: show only its scheme, never the rest (it may hold a secret).
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1];
    return scheme === undefined ? '(unparseable provider URL)' : `${scheme}://***`;
  }
};
