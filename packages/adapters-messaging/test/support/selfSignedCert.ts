/** A self-signed X.509 certificate made with node:crypto alone (a tiny DER encoder), to stand in for SNS's signing certificate. */
import { X509Certificate, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

const len = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x >>= 8) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), len(content.length), content]);
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));
const int = (n: number): Buffer => {
  const bytes: number[] = [];
  for (let x = n; x > 0; x >>= 8) bytes.unshift(x & 0xff);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
};
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a! + b!];
  for (const v of rest) {
    const chunk: number[] = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
};
const utcTime = (d: Date): Buffer => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`, 'ascii'));
const name = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));

/** A key pair and a PEM certificate for it, valid between the given dates. */
export interface TestCertificate {
  readonly privateKey: KeyObject;
  readonly pem: string;
}

/** Makes an RSA key and a self-signed certificate (sha256WithRSAEncryption). */
export const selfSignedCertificate = (options: { cn?: string; notBefore?: Date; notAfter?: Date } = {}): TestCertificate => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const alg = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const tbs = seq(
    tlv(0xa0, int(2)),
    int(Math.floor(Math.random() * 2 ** 31) + 1),
    alg,
    name(options.cn ?? 'sns.amazonaws.com'),
    seq(utcTime(options.notBefore ?? new Date('2020-01-01T00:00:00Z')), utcTime(options.notAfter ?? new Date('2049-12-31T00:00:00Z'))),
    name(options.cn ?? 'sns.amazonaws.com'),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, alg, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  // Fails loudly here if the encoding is wrong, rather than as a confusing verification failure later.
  new X509Certificate(pem);
  return { privateKey, pem };
};
