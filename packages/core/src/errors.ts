/** Domain errors are values, with a message a school office can act on. */

/** Why a command was refused. */
export type DomainErrorCode =
  | 'not-found'
  | 'merged'
  | 'already-exists'
  | 'deleted'
  | 'confirmation-required'
  | 'not-blocked'
  | 'not-a-leaver'
  | 'not-queued'
  | 'too-early'
  | 'edit-at-source'
  | 'invalid-detail'
  | 'invalid-command';

/** A refused command: a stable code and a sentence for the office. Never holds personal values. */
export interface DomainError {
  readonly _tag: 'DomainError';
  readonly code: DomainErrorCode;
  readonly message: string;
}

/** Builds a domain error. */
export const domainError = (code: DomainErrorCode, message: string): DomainError => ({
  _tag: 'DomainError',
  code,
  message,
});
