/**
 * What every route shares: the ports, the signed-in session, and the one way actions run: check the
 * role, take the form's one-time token (a form posted twice is recorded once: the token is also the
 * command id, so even two posts racing each other write once), run, and redirect with a message.
 */
import type { Context } from 'hono';
import * as E from 'fp-ts/lib/Either.js';
import { nameId, staffMay, type Actor, type Clock, type EventStore, type HandleError, type HandlerDeps, type Handled, type StaffPermission } from '@contactable/core';
import { nameIdsIn, officeText, type Views } from '@contactable/projections';
import { html, layout, type Html, type PageContext } from './html.js';
import type { Logger } from './log.js';
import type { Session, Sessions } from './sessions.js';

/** The console's ports and settings, as the routes use them. */
export interface ConsoleEnv {
  readonly store: EventStore;
  readonly views: Views;
  readonly deps: HandlerDeps;
  readonly schoolId: string;
  readonly clock: Clock;
  readonly zone: string;
  readonly sessions: Sessions;
  readonly logger: Logger;
  /** Where messages go (`smtp://...`, `notify://...`...), or null when sending is not set up. */
  readonly providerUrl: string | null;
  readonly maxUploadBytes: number;
  /** Where uploaded exports wait for confirmation (a private temporary folder). */
  readonly uploadDir: string;
  /** Re-reads the sync schedule (after the settings change). */
  readonly reschedule: () => Promise<void>;
  /** Runs the sync now (from the settings page). */
  readonly runSync: () => Promise<string>;
}

/** Hono's variables for a signed-in request. */
export interface Vars {
  session: Session;
}

/** The Hono environment of the console's routes. */
export type AppEnv = { Variables: Vars };

/** The session of a signed-in request (the auth middleware set it). */
export const sessionOf = (c: Context<AppEnv>): Session => c.get('session');

/** The person acting, as events record them. */
export const actorOf = (c: Context<AppEnv>): Actor => ({ kind: 'person', name: sessionOf(c).user.name });

/** The context a page renders forms and menus with (takes the flash message, once). */
export const pageContext = (c: Context<AppEnv>, env: ConsoleEnv): PageContext => {
  const s = sessionOf(c);
  const flash = s.flash;
  s.flash = null;
  return { user: s.user, csrf: s.csrf, once: () => env.sessions.issueForm(s), may: (p) => staffMay(s.user.role, p), zone: env.zone, flash };
};

/** True when the request asks for JSON rather than a page. */
export const wantsJson = (c: Context): boolean => {
  const accept = c.req.header('accept') ?? '';
  return /application\/json/.test(accept) && !/text\/html/.test(accept);
};

/** A page answer. */
export const renderPage = (c: Context<AppEnv>, env: ConsoleEnv, o: { readonly title: string; readonly active?: string; readonly body: (ctx: PageContext) => Html; readonly status?: 200 | 400 | 403 | 404 | 409 | 413 | 415 | 422 | 429; readonly printable?: boolean }): Response | Promise<Response> => {
  const ctx = pageContext(c, env);
  return c.html(layout(ctx, { title: o.title, ...(o.active !== undefined ? { active: o.active } : {}), body: o.body(ctx), ...(o.printable !== undefined ? { printable: o.printable } : {}) }), o.status ?? 200);
};

/** A page telling the person what went wrong (no stack, no personal values beyond their own input). */
export const problemPage = (c: Context<AppEnv>, env: ConsoleEnv, status: 400 | 403 | 404 | 409 | 413 | 415 | 422 | 429, title: string, text: string): Response | Promise<Response> => {
  if (wantsJson(c)) return c.json({ error: text }, status);
  return renderPage(c, env, { title, status, body: () => html`<h1>${title}</h1><p>${text}</p><p><a href="/">Back to the dashboard</a></p>` });
};

/** A refusal an action reports back to the page it came from. */
export class Refused extends Error {}

/** What an action did, for the next page: where to go and what to say. */
export interface Done {
  readonly location: string;
  readonly message: string;
}

/** The id of the `step`-th command of a form: the same each time that form is posted. */
export const formCommandId = (once: string, step = 0): string => nameId(`console-form/${once}/${step}`);

/** A posted form's fields (text only; files are read by the routes that take them). */
export type FormFields = Readonly<Record<string, string>>;

const textFields = (body: Record<string, unknown>): FormFields => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
};

/** Only same-site paths are followed after an action. */
export const safeBack = (path: string | undefined, fallback: string): string => (path !== undefined && /^\/(?!\/)[^\s\\]*$/.test(path) ? path : fallback);

/**
 * Runs an action for a signed-in person allowed to: the one-time token decides whether it runs
 * (a repeat is sent to the first one's result), a refusal goes back to `back` with the reason.
 */
export const act = async (
  c: Context<AppEnv>,
  env: ConsoleEnv,
  permission: StaffPermission,
  run: (form: FormFields, once: string, body: Record<string, unknown>) => Promise<Done>,
): Promise<Response> => {
  const s = sessionOf(c);
  if (!staffMay(s.user.role, permission)) {
    return problemPage(c, env, 403, 'Not allowed', s.user.role === 'compliance' ? 'Your role (compliance) can read everything but change nothing.' : 'Your role cannot do this: ask an admin.') as Promise<Response>;
  }
  const body = (await c.req.parseBody()) as Record<string, unknown>;
  const form = textFields(body);
  const back = safeBack(form._back, '/');
  const once = form._once ?? '';
  const use = env.sessions.useForm(s, once);
  if (use.kind === 'unknown') return problemPage(c, env, 400, 'This form has expired', 'The page was open too long or was already used. Go back, reload the page and try again.') as Promise<Response>;
  if (use.kind === 'pending') return problemPage(c, env, 409, 'Already being recorded', 'This form was sent twice: the first is still being recorded. Nothing more will be recorded.') as Promise<Response>;
  if (use.kind === 'done') {
    s.flash = { kind: 'done', text: 'That was already recorded; nothing more was recorded.' };
    return c.redirect(use.location, 303);
  }
  try {
    const done = await run(form, once, body);
    env.sessions.finishForm(s, once, done.location);
    s.flash = { kind: 'done', text: done.message };
    return c.redirect(done.location, 303);
  } catch (e) {
    env.sessions.finishForm(s, once, null);
    if (e instanceof Refused) {
      s.flash = { kind: 'refused', text: e.message };
      return c.redirect(back, 303);
    }
    throw e;
  }
};

/** Unwraps a handled command, or refuses with its message (ids named, rule ids out). */
export const handledOr = async <S>(env: ConsoleEnv, r: E.Either<HandleError, Handled<S>>): Promise<Handled<S>> => {
  if (E.isLeft(r)) throw new Refused(officeText(await nameIdsIn(r.left.message, env.views)));
  return r.right;
};

/** A required field, trimmed, or a refusal naming it. */
export const required = (form: FormFields, name: string, label: string): string => {
  const v = (form[name] ?? '').trim();
  if (v === '') throw new Refused(`${label} is needed.`);
  return v;
};
