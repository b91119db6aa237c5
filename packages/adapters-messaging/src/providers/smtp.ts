/**
 * SMTP (email) through nodemailer's pooled transport. The Message-ID header is deterministic
 * (`<reference@contactable>`), so the id we record is the one the receiving side sees, and a
 * downstream system can recognise a duplicate. SMTP has the opposite convention to HTTP:
 * 4xx replies are transient (retryable), 5xx are permanent.
 */
import * as E from 'fp-ts/lib/Either.js';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { providerError, type EmailProvider, type ProviderError } from '../ports.js';
import { redact } from '../redact.js';

/** How to reach an SMTP server. */
export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (smtps, port 465). STARTTLS is used when the server offers it unless `ignoreTls`. */
  readonly secure?: boolean;
  readonly ignoreTls?: boolean;
  readonly user?: string;
  readonly password?: string;
  readonly from: string;
  /** Pooled connections (default 5) and messages per connection before it is recycled (default 100). */
  readonly maxConnections?: number;
  readonly maxMessages?: number;
  /** Gives up on a connection or command after this long (default 30 s). */
  readonly timeoutMs?: number;
  /** Accept self-signed certificates (loopback tests only). */
  readonly allowSelfSigned?: boolean;
}

interface SmtpLikeError {
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly message?: string;
  readonly syscall?: string;
}

// Socket errors that mean no connection was ever made: nothing can have been handed over.
const NEVER_CONNECTED = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)\b/;

/** True when a nodemailer error shows the conversation never reached the point of handing a message over. */
export const smtpNeverConnected = (err: SmtpLikeError): boolean =>
  err.syscall === 'connect' ||
  err.syscall === 'getaddrinfo' ||
  err.code === 'EDNS' ||
  NEVER_CONNECTED.test(err.message ?? '') ||
  (err.code === 'ETIMEDOUT' && /greeting never received|connection timeout/i.test(err.message ?? ''));

/**
 * Classifies a nodemailer error. Any SMTP reply is definite: 5xx permanent, 4xx retryable, neither took
 * the message. No connection at all (refused, no such host, no greeting) is about the server we send
 * through: retryable, and it stops the send (nobody can be sent to). A connection lost mid-conversation
 * with no reply may have come after the end of the message: in doubt.
 */
export const smtpError = (e: unknown): ProviderError => {
  const err = (e ?? {}) as SmtpLikeError;
  const code = err.code ?? null;
  const status = typeof err.responseCode === 'number' ? err.responseCode : null;
  const text = redact(err.response ?? err.message ?? 'unknown SMTP error');
  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'ETLS' || code === 'EREQUIRETLS') {
    return providerError('smtp', 'permanent', text, { code, status, scope: 'account' });
  }
  if (status !== null && status >= 500) {
    // A 5xx to MAIL FROM is about our sender, to RCPT TO about the recipient.
    return providerError('smtp', 'permanent', text, { code, status, scope: /mail from|sender/i.test(text) ? 'account' : 'recipient' });
  }
  if (status !== null) return providerError('smtp', 'retryable', text, { code, status });
  if (smtpNeverConnected(err)) return providerError('smtp', 'retryable', `could not connect to the SMTP server (${text})`, { code, scope: 'account' });
  return providerError('smtp', 'retryable', text, { code, ambiguous: true });
};

/** An EmailProvider over SMTP with a connection pool. */
export const smtpProvider = (config: SmtpConfig): EmailProvider => {
  const options: SMTPPool.Options = {
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.secure ?? false,
    ignoreTLS: config.ignoreTls ?? false,
    maxConnections: config.maxConnections ?? 5,
    maxMessages: config.maxMessages ?? 100,
    connectionTimeout: config.timeoutMs ?? 30_000,
    greetingTimeout: config.timeoutMs ?? 30_000,
    socketTimeout: config.timeoutMs ?? 30_000,
    ...(config.user !== undefined ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
    ...(config.allowSelfSigned === true ? { tls: { rejectUnauthorized: false } } : {}),
  };
  const transport = nodemailer.createTransport(options);
  return {
    name: 'smtp',
    channel: 'email',
    send: async (m) => {
      const messageId = `<${m.reference.replace(/[^A-Za-z0-9.:_-]/g, '_')}@contactable>`;
      try {
        const info = await transport.sendMail({
          from: config.from,
          to: m.to,
          subject: m.subject ?? '',
          text: m.body,
          messageId,
          headers: { 'X-Contactable-Message-Id': m.messageId, 'X-Contactable-Contact-Id': m.contactId },
        });
        if (info.rejected.length > 0 || info.accepted.length === 0) {
          return E.left(providerError('smtp', 'permanent', 'the server refused the recipient', { status: 550 }));
        }
        return E.right({ providerMessageId: info.messageId ?? messageId });
      } catch (e) {
        return E.left(smtpError(e));
      }
    },
    close: async () => {
      transport.close();
    },
  };
};
