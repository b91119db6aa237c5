/** GOV.UK Notify API keys and the JWT that authenticates each request (HS256, built with node:crypto). */
import { createHmac } from 'node:crypto';

/** The parts of a Notify API key `{key_name}-{service_id}-{secret}` (both ids are UUIDs). */
export interface NotifyKey {
  readonly keyName: string;
  readonly serviceId: string;
  readonly secret: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits an API key: the secret is the last 36 characters, the service id the 36 before them. */
export const parseNotifyKey = (apiKey: string): NotifyKey | null => {
  const key = apiKey.trim();
  if (key.length < 74) return null;
  const secret = key.slice(-36);
  const serviceId = key.slice(-73, -37);
  if (key[key.length - 37] !== '-' || (key.length > 74 && key[key.length - 74] !== '-') || !UUID.test(secret) || !UUID.test(serviceId)) return null;
  const keyName = key.length > 74 ? key.slice(0, -74) : '';
  return { keyName, serviceId, secret };
};

const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

/** A bearer token for one request: `{typ: JWT, alg: HS256}` / `{iss: service id, iat: now}`, signed with the secret. */
export const notifyJwt = (key: NotifyKey, nowMs: number): string => {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const payload = b64url(JSON.stringify({ iss: key.serviceId, iat: Math.floor(nowMs / 1000) }));
  const signature = createHmac('sha256', key.secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
};
