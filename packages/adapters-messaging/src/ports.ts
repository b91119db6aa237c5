/** The provider ports: send one message to one address, and learn a provider message id or a typed error. */
import type * as E from 'fp-ts/lib/Either.js';

/** One message to one address. */
export interface OutboundMessage {
  /** An email address, or a mobile number in E.164. */
  readonly to: string;
  /** The email subject (ignored for texts). */
  readonly subject: string | null;
  readonly body: string;
  /** Our message id, carried to the provider where it allows (custom args, reference, headers). */
  readonly messageId: string;
  /** The contact the send is for (ids only ever leave us, never names). */
  readonly contactId: string;
  /** Deterministic per message and recipient: the provider's reference / idempotency key, and our lookup key. */
  readonly reference: string;
}

/**
 * Why a provider did not take a message. `permanent` will fail again (4xx, bad recipient, SMTP 5xx);
 * `retryable` may work later (5xx, 429, timeout, SMTP 4xx). `scope: 'account'` means the problem is ours
 * (credentials, sender, configuration, or the provider unreachable), not the recipient's: the send stops
 * rather than fail everyone, and nobody it reached was handed over. `ambiguous` means the message was
 * handed over and no answer came: it may have been taken (in doubt).
 */
export interface ProviderError {
  readonly _tag: 'ProviderError';
  readonly provider: string;
  readonly kind: 'permanent' | 'retryable';
  readonly scope: 'recipient' | 'account';
  /** HTTP status or SMTP reply code, when there was one. */
  readonly status: number | null;
  /** The provider's own error code (Twilio 21211, Notify ValidationError, nodemailer EAUTH...). */
  readonly code: string | null;
  /** What went wrong, with addresses and numbers redacted. */
  readonly message: string;
  /** How long the provider asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs: number | null;
  /** True when the provider may have accepted the message although we saw an error (a timeout after sending). */
  readonly ambiguous: boolean;
}

/** What a provider said when it took a message. */
export interface Accepted {
  readonly providerMessageId: string;
}

/** The common shape of both ports. */
export interface MessagingProvider {
  /** A short name recorded on events (`smtp`, `notify`, `twilio`, `sendgrid`). */
  readonly name: string;
  /** Sends one message; never throws for a provider's refusal or a network failure. */
  readonly send: (message: OutboundMessage) => Promise<E.Either<ProviderError, Accepted>>;
  /**
   * Finds a message sent earlier under our reference, for providers that can search by it (Notify):
   * used after a crash or a timeout so an in-doubt recipient is not sent to twice. Right(null) = not found.
   */
  readonly lookup?: (reference: string) => Promise<E.Either<ProviderError, Accepted | null>>;
  /** Releases pooled connections. */
  readonly close?: () => Promise<void>;
}

/** Sends emails. */
export interface EmailProvider extends MessagingProvider {
  readonly channel: 'email';
}

/** Sends texts. */
export interface SmsProvider extends MessagingProvider {
  readonly channel: 'sms';
}

/** Either port. */
export type Provider = EmailProvider | SmsProvider;

/** Builds a provider error. */
export const providerError = (
  provider: string,
  kind: ProviderError['kind'],
  message: string,
  extra: Partial<Pick<ProviderError, 'scope' | 'status' | 'code' | 'retryAfterMs' | 'ambiguous'>> = {},
): ProviderError => ({
  _tag: 'ProviderError',
  provider,
  kind,
  scope: extra.scope ?? 'recipient',
  status: extra.status ?? null,
  code: extra.code ?? null,
  message,
  retryAfterMs: extra.retryAfterMs ?? null,
  ambiguous: extra.ambiguous ?? false,
});

/** A one-line description of a provider error, fit for the office (no personal data). */
export const describeProviderError = (e: ProviderError): string =>
  `${e.provider} ${e.kind === 'permanent' ? 'refused' : 'could not take'} the message${e.status !== null ? ` (${e.status}${e.code !== null ? ` ${e.code}` : ''})` : e.code !== null ? ` (${e.code})` : ''}: ${e.message}`;
