/**
 * Signed-in sessions, held in this process: a random id in a secure, http-only cookie; a CSRF token
 * every form carries; one-time form tokens, so a form posted twice is recorded once. Sessions end
 * after a spell of no use or a working day, whichever comes first; a restart signs everyone out.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { StaffRole } from '@contactable/core';

/** Who is signed in. */
export interface SessionUser {
  readonly staffId: string;
  readonly name: string;
  readonly role: StaffRole;
}

/** What a one-time form token has seen: not yet used, being recorded, or recorded (with where the result is). */
type FormUse = { readonly state: 'issued' } | { readonly state: 'pending' } | { readonly state: 'done'; readonly location: string };

/** One session. */
export interface Session {
  readonly id: string;
  readonly csrf: string;
  user: SessionUser;
  readonly createdAt: number;
  lastSeen: number;
  /** One-time form tokens issued to this session, oldest first. */
  readonly forms: Map<string, FormUse>;
  /** Uploaded exports awaiting confirmation, by token. */
  readonly uploads: Map<string, unknown>;
  /** Reports of what an action did (a send's outcome), kept for the page that shows them, by id. */
  readonly results: Map<string, unknown>;
  /** A message for the next page shown (after an action's redirect). */
  flash: { readonly kind: 'done' | 'refused'; readonly text: string } | null;
}

/** How long sessions last. */
export interface SessionTimes {
  /** Signed out after this long without a request (default 30 minutes). */
  readonly idleMs: number;
  /** Signed out this long after signing in, whatever (default 10 hours). */
  readonly absoluteMs: number;
}

/** The default: 30 minutes idle, 10 hours at most. */
export const DEFAULT_SESSION_TIMES: SessionTimes = { idleMs: 30 * 60_000, absoluteMs: 10 * 60 * 60_000 };

const MAX_FORMS = 500;

const token = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Two secrets compared in constant time. */
export const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** What a one-time form token says on use. */
export type FormTokenUse = { readonly kind: 'fresh' } | { readonly kind: 'pending' } | { readonly kind: 'done'; readonly location: string } | { readonly kind: 'unknown' };

/** The sessions of one server. */
export interface Sessions {
  /** Starts a session for a person. */
  readonly create: (user: SessionUser, now: number) => Session;
  /** The live session with this id (its last use moved on), `expired` when it timed out, or null. */
  readonly get: (id: string | undefined, now: number) => Session | 'expired' | null;
  readonly destroy: (id: string) => void;
  /** Ends every session of a person (removed), or brings their role up to date. */
  readonly update: (staffId: string, user: SessionUser | null, onEnd?: (s: Session) => void) => void;
  /** A one-time token for a form rendered now. */
  readonly issueForm: (s: Session) => string;
  /** Takes a posted one-time token: `fresh` the first time (now pending), then `pending` or `done` with the result's location. */
  readonly useForm: (s: Session, formToken: string) => FormTokenUse;
  /** Notes that a form's action was recorded (its result is at `location`), or failed (the token may be used again). */
  readonly finishForm: (s: Session, formToken: string, location: string | null) => void;
  /** Drops expired sessions (and tells who owned what, to clean up uploads). */
  readonly sweep: (now: number, onEnd?: (s: Session) => void) => void;
  readonly size: () => number;
}

/** Sessions in memory. */
export const memorySessions = (times: SessionTimes = DEFAULT_SESSION_TIMES): Sessions => {
  const all = new Map<string, Session>();
  const expired = (s: Session, now: number): boolean => now - s.lastSeen > times.idleMs || now - s.createdAt > times.absoluteMs;
  return {
    create: (user, now) => {
      const s: Session = { id: token(), csrf: token(), user, createdAt: now, lastSeen: now, forms: new Map(), uploads: new Map(), results: new Map(), flash: null };
      all.set(s.id, s);
      return s;
    },
    get: (id, now) => {
      if (id === undefined || id === '') return null;
      const s = all.get(id);
      if (s === undefined) return null;
      if (expired(s, now)) {
        all.delete(id);
        return 'expired';
      }
      s.lastSeen = now;
      return s;
    },
    destroy: (id) => void all.delete(id),
    update: (staffId, user, onEnd) => {
      for (const s of [...all.values()]) {
        if (s.user.staffId !== staffId) continue;
        if (user === null) {
          all.delete(s.id);
          onEnd?.(s);
        } else s.user = user;
      }
    },
    issueForm: (s) => {
      const t = token(18);
      s.forms.set(t, { state: 'issued' });
      // Oldest first: a session that renders many pages forgets its oldest unused forms.
      while (s.forms.size > MAX_FORMS) s.forms.delete(s.forms.keys().next().value!);
      return t;
    },
    useForm: (s, formToken) => {
      const use = s.forms.get(formToken);
      if (use === undefined) return { kind: 'unknown' };
      if (use.state === 'issued') {
        s.forms.set(formToken, { state: 'pending' });
        return { kind: 'fresh' };
      }
      return use.state === 'pending' ? { kind: 'pending' } : { kind: 'done', location: use.location };
    },
    finishForm: (s, formToken, location) => {
      if (!s.forms.has(formToken)) return;
      s.forms.set(formToken, location === null ? { state: 'issued' } : { state: 'done', location });
    },
    sweep: (now, onEnd) => {
      for (const s of [...all.values()]) {
        if (!expired(s, now)) continue;
        all.delete(s.id);
        onEnd?.(s);
      }
    },
    size: () => all.size,
  };
};

/** A fresh random token (login CSRF cookie, upload ids). */
export const randomToken = token;
