/**
 * Twilio request signatures: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + each POST
 * parameter name and value, names sorted, repeated values de-duplicated and sorted)). For a JSON
 * body the URL carries `bodySHA256` and no parameters are appended. As Twilio's own validators do,
 * the URL is also tried with its default port added or removed; its case is kept as given.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** POST parameters, each with one or more values. */
export type TwilioParams = Readonly<Record<string, string | ReadonlyArray<string>>>;

/** The signature Twilio would send for this URL and these parameters. */
export const twilioSignature = (authToken: string, url: string, params: TwilioParams): string => {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const v = params[name]!;
    const values = typeof v === 'string' ? [v] : [...new Set(v)].sort();
    for (const value of values) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
};

const URL_PARTS = /^(https?):\/\/([^/?#@]*@)?([^/?#:]+)(:\d+)?(.*)$/i;

/** The URL as given, with its default port added, and with its port removed (case preserved). */
export const urlVariants = (url: string): ReadonlyArray<string> => {
  const m = URL_PARTS.exec(url);
  if (m === null) return [url];
  const [, scheme, userinfo = '', host, port, rest] = m;
  const defaultPort = scheme!.toLowerCase() === 'https' ? ':443' : ':80';
  return [...new Set([url, `${scheme}://${userinfo}${host}${port ?? defaultPort}${rest}`, `${scheme}://${userinfo}${host}${rest}`])];
};

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** True when the signature matches the URL (or a port variant of it) and parameters; for a JSON body, also its bodySHA256. */
export const validTwilioSignature = (authToken: string, signature: string, url: string, params: TwilioParams, rawJsonBody?: Buffer): boolean => {
  let query: URLSearchParams | null = null;
  try {
    query = new URL(url).searchParams;
  } catch {
    return false;
  }
  const bodyHash = query.get('bodySHA256');
  if (bodyHash !== null) {
    if (rawJsonBody === undefined) return false;
    const actual = createHash('sha256').update(rawJsonBody).digest('hex');
    if (!same(actual, bodyHash.toLowerCase())) return false;
    return urlVariants(url).some((u) => same(twilioSignature(authToken, u, {}), signature));
  }
  return urlVariants(url).some((u) => same(twilioSignature(authToken, u, params), signature));
};
