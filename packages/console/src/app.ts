/**
 * The console's one HTTP server: the staff pages (signed in), the providers' webhooks (verified by
 * their signatures), the assets, and the scheduled sync. Built on Hono with @hono/node-server;
 * pages are rendered on the server and work without a script.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { matchedRoutes } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import type { Clock, EventStore, IdSource } from '@contactable/core';
import type { CallbackMemory, WebhookConfigs } from '@contactable/adapters-messaging';
import { systemClock, uuidV7Ids } from '@contactable/adapters-store';
import { DEFAULT_ZONE, type Views } from '@contactable/projections';
import { CSS, JS } from './assets.js';
import { problemPage, type AppEnv, type ConsoleEnv } from './env.js';
import { html, layout } from './html.js';
import { consoleLogger, errorName, type Logger } from './log.js';
import { DEFAULT_THROTTLE, memoryThrottle, type ThrottleLimits } from './rateLimit.js';
import { registerActions } from './routes/act.js';
import { registerAdmin } from './routes/admin.js';
import { registerSignIn, registerSignOut, requireCsrf, requireSession } from './routes/auth.js';
import { dropUploads, registerImport } from './routes/importing.js';
import { registerReads } from './routes/read.js';
import { createScheduler, describeSync, type Scheduler } from './schedule.js';
import { DEFAULT_SESSION_TIMES, memorySessions, type SessionTimes } from './sessions.js';
import { createWebhookHandler } from './webhooks.js';

/** How a console is set up. */
export interface ConsoleOptions {
  /** The event store (the caller opens and closes it). */
  readonly store: EventStore;
  /** The read side (the CLI's `ctx.views()`). */
  readonly views: Views;
  readonly schoolId: string;
  readonly clock?: Clock;
  readonly ids?: IdSource;
  /** The school's time zone (default Europe/London). */
  readonly zone?: string;
  /** Provider webhook secrets; a provider without one is answered 500. */
  readonly webhooks?: WebhookConfigs;
  /** The public base URL the providers call (Twilio signs the exact URL). */
  readonly publicUrl?: string;
  readonly confirmSubscription?: (url: string) => Promise<void>;
  readonly callbackMemory?: CallbackMemory;
  /** Where messages go (`smtp://...`, `notify://...`, ...); without it the console cannot send. */
  readonly providerUrl?: string | null;
  readonly logger?: Logger;
  readonly sessionTimes?: SessionTimes;
  readonly throttle?: ThrottleLimits;
  /** The largest export upload (default 50 MB). */
  readonly maxUploadBytes?: number;
  /** Secure cookies (default true): browsers send them over HTTPS and to loopback addresses. */
  readonly secureCookies?: boolean;
  /** Run the scheduled sync (default true). */
  readonly schedule?: boolean;
}

/** A console, built but not yet listening. */
export interface Console {
  /** The Hono app (its `fetch` serves a request). */
  readonly app: Hono<AppEnv>;
  /** Starts listening (and the schedule). */
  readonly listen: (port: number, host?: string) => Promise<{ readonly host: string; readonly port: number; readonly url: string }>;
  /** Stops the schedule (waiting for a running sync), stops listening, deletes waiting uploads. The store stays open. */
  readonly close: () => Promise<void>;
  readonly scheduler: Scheduler;
}

const FORM_LIMIT = 256 * 1024;
/** What a multipart upload adds to its file: boundaries, headers and the form's other fields. */
const UPLOAD_OVERHEAD = 16 * 1024;
const WEBHOOK_LIMIT = 1_048_576;

/** Builds the console. */
export const createConsole = (o: ConsoleOptions): Console => {
  const clock = o.clock ?? systemClock;
  const ids = o.ids ?? uuidV7Ids;
  const logger = o.logger ?? consoleLogger;
  const zone = o.zone ?? DEFAULT_ZONE;
  const deps = { store: o.store, clock, ids };
  const uploadDir = mkdtempSync(join(tmpdir(), 'contactable-uploads-'));
  const sessions = memorySessions(o.sessionTimes ?? DEFAULT_SESSION_TIMES);
  const scheduler = createScheduler({ deps, views: o.views, schoolId: o.schoolId, zone, clock, logger });
  const cookies = { secure: o.secureCookies ?? true };
  const maxUploadBytes = o.maxUploadBytes ?? 50 * 1_048_576;
  const env: ConsoleEnv = {
    store: o.store,
    views: o.views,
    deps,
    schoolId: o.schoolId,
    clock,
    zone,
    sessions,
    logger,
    providerUrl: o.providerUrl ?? null,
    maxUploadBytes,
    uploadDir,
    reschedule: () => scheduler.reschedule(),
    runSync: async () => describeSync(await scheduler.runNow()),
  };
  const webhook = createWebhookHandler({
    deps,
    schoolId: o.schoolId,
    webhooks: o.webhooks ?? {},
    logger,
    ...(o.publicUrl !== undefined ? { publicUrl: o.publicUrl } : {}),
    ...(o.confirmSubscription !== undefined ? { confirmSubscription: o.confirmSubscription } : {}),
    ...(o.callbackMemory !== undefined ? { callbackMemory: o.callbackMemory } : {}),
  });

  const app = new Hono<AppEnv>();

  // Access log: the route's pattern (a path can hold an MIS reference), the status and the time.
  app.use('*', async (c, next) => {
    const started = Date.now();
    await next();
    const route = matchedRoutes(c).filter((r) => r.method !== 'ALL').pop()?.path ?? '(no route)';
    logger.info(`${c.req.method} ${route} ${c.res.status} ${Date.now() - started}ms`);
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], objectSrc: ["'none'"] },
      referrerPolicy: 'no-referrer',
      strictTransportSecurity: false,
    }),
  );
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });

  // ---- open to all: assets, health, the providers' webhooks, sign-in --------------------------------
  app.get('/assets/console.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
  app.get('/assets/console.js', (c) => c.body(JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }));
  app.get('/health', async (c) => c.json({ ok: true, position: await o.views.position() }));
  app.post(
    '/webhooks/:provider',
    bodyLimit({ maxSize: WEBHOOK_LIMIT, onError: (c) => c.json({ error: `the body is larger than ${WEBHOOK_LIMIT} bytes` }, 413) }),
    async (c) => {
      const url = new URL(c.req.url);
      const headers: Record<string, string> = {};
      c.req.raw.headers.forEach((value, key) => (headers[key] = value));
      const answer = await webhook(c.req.param('provider'), { body: Buffer.from(await c.req.arrayBuffer()), headers, pathAndQuery: `${url.pathname}${url.search}`, host: c.req.header('host') });
      return c.json(answer.body, answer.status as 200);
    },
  );
  registerSignIn(app, env, memoryThrottle(o.throttle ?? DEFAULT_THROTTLE), cookies);

  // ---- signed in from here on ------------------------------------------------------------------------
  app.use('*', requireSession(env, cookies));
  app.use('*', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const upload = new URL(c.req.url).pathname === '/import';
    const limit = upload ? maxUploadBytes + UPLOAD_OVERHEAD : FORM_LIMIT;
    return bodyLimit({
      maxSize: limit,
      onError: (cx) =>
        problemPage(cx as never, env, 413, 'Too large', upload ? `The file is larger than ${Math.floor(maxUploadBytes / 1_048_576)} MB: nothing was imported.` : 'The form is too large to accept.') as Response,
    })(c, next);
  });
  app.use('*', requireCsrf(env));
  registerSignOut(app, env, cookies);
  registerReads(app, env);
  registerActions(app, env);
  registerImport(app, env);
  registerAdmin(app, env, scheduler);

  app.notFound((c) => problemPage(c as never, env, 404, 'Page not found', 'There is no page at this address. Use the menu to find what you need.') as Response);
  app.onError((e, c) => {
    // No stack and no message (it could quote data): the error's name only.
    logger.error(`${c.req.method} request failed: ${errorName(e)}`);
    return c.html(layout(null, { title: 'Something went wrong', body: html`<h1>Something went wrong</h1><p>Nothing was half-recorded: each change is recorded whole or not at all. Go back and try again; if it keeps happening, tell whoever runs the console.</p><p><a href="/">Back to the dashboard</a></p>` }), 500);
  });

  let server: ServerType | null = null;
  let sweeper: NodeJS.Timeout | null = null;

  return {
    app,
    scheduler,
    listen: async (port, host = '127.0.0.1') => {
      server = createAdaptorServer({ fetch: app.fetch, hostname: host });
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      if (o.schedule !== false) await scheduler.start();
      sweeper = setInterval(() => sessions.sweep(Date.now(), (x) => void dropUploads(x)), 60_000);
      sweeper.unref();
      const a = s.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      logger.info(`console listening on http://${shown}:${a.port} (school ${o.schoolId})`);
      return { host: a.address, port: a.port, url: `http://${shown}:${a.port}` };
    },
    close: async () => {
      if (sweeper !== null) clearInterval(sweeper);
      await scheduler.close();
      const s = server;
      if (s !== null && s.listening) {
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          (s as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
      }
      rmSync(uploadDir, { recursive: true, force: true });
    },
  };
};
