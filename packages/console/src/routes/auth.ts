/** Sign-in, sign-out and the session check every other page goes through. */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { checkSignIn } from '../accounts.js';
import { problemPage, safeBack, sessionOf, wantsJson, type AppEnv, type ConsoleEnv } from '../env.js';
import { loginPage } from '../pages/login.js';
import type { SignInThrottle } from '../rateLimit.js';
import { randomToken, sameSecret } from '../sessions.js';

/** How the console's cookies are set. */
export interface CookieSettings {
  /** Secure cookies (default): browsers send them over HTTPS, and to http://localhost or 127.0.0.1. */
  readonly secure: boolean;
}

const names = (s: CookieSettings) => ({ session: s.secure ? '__Host-contactable' : 'contactable', login: s.secure ? '__Host-contactable-signin' : 'contactable-signin' });
const options = (s: CookieSettings) => ({ httpOnly: true, secure: s.secure, sameSite: 'Lax' as const, path: '/' });

const clientOf = (c: Context): string => {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

/** The sign-in routes. */
export const registerSignIn = (app: Hono<AppEnv>, env: ConsoleEnv, throttle: SignInThrottle, cookies: CookieSettings): void => {
  const n = names(cookies);
  const showLogin = (c: Context, status: 200 | 400 | 401 | 429, o: { next: string; email?: string; message?: { kind: 'refused' | 'note'; text: string } }) => {
    // Kept while it lasts: a second tab, or a browser fetching its icon, must not spoil the first form.
    const held = getCookie(c, n.login);
    const csrf = held !== undefined && /^[\w-]{43}$/.test(held) ? held : randomToken();
    setCookie(c, n.login, csrf, { ...options(cookies), maxAge: 3600 });
    return c.html(loginPage({ csrf, ...o }), status);
  };

  app.get('/login', (c) => {
    const s = env.sessions.get(getCookie(c, n.session), Date.now());
    const next = safeBack(c.req.query('next'), '/');
    if (s !== null && s !== 'expired') return c.redirect(next, 303);
    return showLogin(c, 200, { next, ...(c.req.query('expired') !== undefined ? { message: { kind: 'note', text: 'Your session ended: sign in again.' } } : {}) });
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const text = (k: string): string => (typeof form[k] === 'string' ? (form[k] as string) : '');
    const next = safeBack(text('next'), '/');
    const cookie = getCookie(c, n.login);
    if (cookie === undefined || !sameSecret(cookie, text('_csrf'))) return showLogin(c, 400, { next, message: { kind: 'refused', text: 'The sign-in form had expired: try again.' } });
    const email = text('email').trim();
    const client = clientOf(c);
    const now = Date.now();
    const wait = throttle.waitMs(email, client, now);
    if (wait > 0) {
      env.logger.info('sign-in refused: too many attempts');
      return showLogin(c, 429, { next, email, message: { kind: 'refused', text: `Too many wrong passwords: try again in ${Math.ceil(wait / 60_000)} minute(s).` } });
    }
    const account = email === '' ? null : await checkSignIn({ deps: env.deps, views: env.views, schoolId: env.schoolId }, email, text('password'));
    if (account === null) {
      throttle.failed(email, client, now);
      env.logger.info('sign-in refused: wrong email or password');
      return showLogin(c, 401, { next, email, message: { kind: 'refused', text: 'That email address and password do not match an account.' } });
    }
    throttle.succeeded(email);
    const s = env.sessions.create({ staffId: account.staffId, name: account.name, role: account.role }, Date.now());
    setCookie(c, n.session, s.id, options(cookies));
    deleteCookie(c, n.login, options(cookies));
    env.logger.info(`signed in: staff ${account.staffId} (${account.role})`);
    return c.redirect(next, 303);
  });
};

/** The session check: no page or JSON without one; an expired one goes back to sign-in. */
export const requireSession = (env: ConsoleEnv, cookies: CookieSettings): MiddlewareHandler<AppEnv> => {
  const n = names(cookies);
  return async (c, next) => {
    const got = env.sessions.get(getCookie(c, n.session), Date.now());
    if (got === null || got === 'expired') {
      if (got === 'expired') deleteCookie(c, n.session, options(cookies));
      if (wantsJson(c) || c.req.method !== 'GET') return c.json({ error: got === 'expired' ? 'the session ended: sign in again' : 'sign in first' }, 401);
      const url = new URL(c.req.url);
      const target = `${url.pathname}${url.search}`;
      return c.redirect(`/login?next=${encodeURIComponent(target)}${got === 'expired' ? '&expired=1' : ''}`, 303);
    }
    // The account may have been removed or its role changed since the session began.
    const account = await env.views.staffAccount(got.user.staffId);
    if (account === null) {
      env.sessions.destroy(got.id);
      return wantsJson(c) ? c.json({ error: 'sign in first' }, 401) : c.redirect('/login', 303);
    }
    got.user = { staffId: account.staffId, name: account.name, role: account.role };
    c.set('session', got);
    await next();
  };
};

/** Every form posted by a signed-in person carries the session's CSRF token. */
export const requireCsrf = (env: ConsoleEnv): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (c.req.method !== 'POST') return next();
  const body = await c.req.parseBody();
  const token = typeof body._csrf === 'string' ? body._csrf : '';
  if (!sameSecret(token, sessionOf(c).csrf)) {
    env.logger.info('form refused: missing or wrong CSRF token');
    return problemPage(c, env, 403, 'This form cannot be accepted', 'The form is missing its security token: go back, reload the page and try again.');
  }
  return next();
};

/** Sign-out. */
export const registerSignOut = (app: Hono<AppEnv>, env: ConsoleEnv, cookies: CookieSettings): void => {
  app.post('/logout', (c) => {
    env.sessions.destroy(sessionOf(c).id);
    deleteCookie(c, names(cookies).session, options(cookies));
    return c.redirect('/login', 303);
  });
};
