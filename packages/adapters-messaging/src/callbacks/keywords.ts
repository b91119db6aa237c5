/** Text replies that change consent (R-CON-2): the carrier-standard opt-out and opt-in keywords Twilio honours. */

const OPT_OUT = new Set(['STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

/** What a reply asks for: the whole message must be the keyword (case and surrounding spaces and punctuation ignored). */
export const consentKeyword = (body: string): 'opt-out' | 'opt-in' | null => {
  const word = body.trim().replace(/[.!\s]+$/, '').replace(/\s+/g, ' ').toUpperCase();
  if (OPT_OUT.has(word)) return 'opt-out';
  if (OPT_IN.has(word)) return 'opt-in';
  return null;
};
