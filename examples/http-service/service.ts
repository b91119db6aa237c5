/**
 * A small HTTP service embedding contactable (node:http only):
 *
 * - `POST /webhooks/{sendgrid|twilio|ses|notify}`: provider callbacks, verified (signatures, tokens,
 *   certificates, freshness) and applied through `ingestCallback` (R-CON-2..5).
 * - `GET /members/{memberId}/linked-people`: the live read model (a projections runner), R-LNK-1.
 * - `POST /contacts/{contactId}/opt-out` `{ "by": "...", "reason": "..." }`: a staff opt-out (R-CON-2).
 * - `GET /health`: `{ ok, position }`.
 * - A scheduled sync from the MIS export (R-OPS-1): daily at `syncAt` (UTC) and/or every `syncEveryMs`;
 *   never two at once. Every writer goes through the core's command handler, so an opt-out recorded
 *   while the sync runs survives it (R-OPS-2).
 *
 * Answers are JSON; errors are `{ error }` with no stack trace and no personal values. Logs carry
 * counts, ids and timings only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  contactDecider,
  contactStream,
  localDayOf,
  handleCommand,
  loadImportSettings,
  runImport,
  type Clock,
  type EventStore,
  type HandlerDeps,
  type ImportLimitsOverride,
  type IdSource,
  type LocalDate,
  type MisSnapshot,
  type StreamAppend,
} from '@contactable/core';
import { systemClock, uuidV7Ids } from '@contactable/adapters-store';
import { fileSource, parseCtf, parseSimsCsv } from '@contactable/adapters-sims';
import { sendConfirmations, storeDirectory, type CallbackMemory, type WebhookConfigs } from '@contactable/adapters-messaging';
import { createWebhookHandler, WEBHOOK_PROVIDERS } from '@contactable/console/webhooks';
import { createProjection, createRunner, linkedPeople, type ProjectionRunner } from '@contactable/projections';

/** Where log lines go. Lines hold counts, ids and timings, never personal data. */
export interface Logger {
  readonly info: (line: string) => void;
  readonly error: (line: string) => void;
}

/** How the service is set up. */
export interface ServiceOptions {
  /** The event store; the caller opens and closes it. */
  readonly store: EventStore;
  /** The school this service holds (default `default`). */
  readonly schoolId?: string;
  readonly clock?: Clock;
  readonly ids?: IdSource;
  /** The secrets and keys that verify each provider's callbacks; a provider without one is answered 500. */
  readonly webhooks?: WebhookConfigs;
  /**
   * The public base URL the providers call (e.g. `https://contacts.school.example`): Twilio signs the
   * exact URL it called, which behind a proxy is not the one this process sees. Default: `http://` + Host header.
   */
  readonly publicUrl?: string;
  /** Visits an SNS SubscribeURL once a verified SubscriptionConfirmation arrives; without it the URL is logged. */
  readonly confirmSubscription?: (url: string) => Promise<void>;
  /** Replay guard for callbacks (default: kept in the event log, so a restart or a second instance still knows). */
  readonly callbackMemory?: CallbackMemory;
  /** The MIS export the sync reads: a CTF file (`.xml`) or a SIMS CSV folder (students.csv, contacts.csv...). */
  readonly exportPath?: string;
  /** Run the sync every day at this time, `HH:MM` UTC (null or absent: no daily sync). */
  readonly syncAt?: string | null;
  /** Also run the sync every this many ms (tests, or a school that syncs through the day). */
  readonly syncEveryMs?: number;
  /** The day the sync imports for (default: the clock's date). */
  readonly today?: () => LocalDate;
  readonly logger?: Logger;
  /** Largest request body accepted (default 1 MB); larger is answered 413. */
  readonly maxBodyBytes?: number;
  /**
   * When set, the staff endpoints (linked people, opt-out) need `Authorization: Bearer <token>`.
   * Without it they are open to whoever can reach the port: keep the service on loopback or behind your own auth.
   */
  readonly staffToken?: string;
  /** How long a read waits for the live views to take in this service's own writes (default 2,000 ms). */
  readonly readYourWritesMs?: number;
}

/** What one trigger of the sync did. */
export type SyncResult =
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly error: string; readonly seconds: number }
  | {
      readonly status: 'done';
      readonly runId: string;
      readonly format: ExportFormat;
      /** False when nothing changed: nothing at all was recorded (R-IMP-1). */
      readonly recorded: boolean;
      readonly counts: {
        readonly membersAdded: number;
        readonly membersChanged: number;
        readonly leavers: number;
        readonly contactsAdded: number;
        readonly contactsChanged: number;
        readonly groupsChanged: number;
        readonly eventsAppended: number;
        readonly confirmations: number;
      };
      readonly refused: number;
      readonly seconds: number;
    };

/** A running (or ready) service. */
export interface Service {
  /** Catches the live views up, starts listening and arms the schedule. */
  readonly listen: (port: number, host?: string) => Promise<{ readonly host: string; readonly port: number }>;
  /** Disarms the schedule, waits for a running sync, stops listening and stops the views. The store stays open. */
  readonly close: () => Promise<void>;
  /** Runs the sync now, unless one is running (then it is skipped and logged). */
  readonly runNightlySync: () => Promise<SyncResult>;
  readonly address: () => { readonly host: string; readonly port: number } | null;
}

/** The export formats the sync reads. */
export type ExportFormat = 'ctf' | 'sims-csv';

const SYNC_AT = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 86_400_000;

/** Milliseconds from `nowMs` to the next `HH:MM` UTC strictly after it. */
export const delayUntil = (syncAt: string, nowMs: number): number => {
  const m = SYNC_AT.exec(syncAt);
  if (m === null) throw new Error(`syncAt must be HH:MM (UTC), e.g. 02:00 (got "${syncAt}")`);
  const d = new Date(nowMs);
  let at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), Number(m[1]), Number(m[2]));
  if (at <= nowMs) at += DAY_MS;
  return at - nowMs;
};

/** An HTTP answer the handlers throw or return. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The status for a refused callback (the console's webhook endpoints decide it). */
export { statusForRejection } from '@contactable/console/webhooks';

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', ...headers });
  res.end(text);
};

/** Reads the raw body, refusing one larger than `limit` bytes (413). */
const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new HttpError(413, `the body is larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new HttpError(413, `the body is larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', () => reject(new HttpError(400, 'the request body could not be read')));
  });

const segment = (s: string): string => {
  let v: string;
  try {
    v = decodeURIComponent(s);
  } catch {
    throw new HttpError(400, 'the path is not well encoded');
  }
  if (v === '' || v.length > 200) throw new HttpError(400, 'the id in the path is empty or too long');
  return v;
};

/** Guesses an export's format: a folder is a SIMS CSV export, a file starting with `<` (or named .xml/.ctf) a CTF. */
export const guessExportFormat = async (path: string): Promise<ExportFormat> => {
  const st = await stat(path);
  if (st.isDirectory()) {
    for (const f of ['students.csv', 'contacts.csv']) if (!existsSync(join(path, f))) throw new SyncError(`the SIMS CSV export folder has no ${f}`);
    return 'sims-csv';
  }
  if (/\.(xml|ctf)$/i.test(path)) return 'ctf';
  const fd = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    if (buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart().startsWith('<')) return 'ctf';
  } finally {
    await fd.close();
  }
  throw new SyncError('cannot tell the export format: give a CTF file (.xml) or a SIMS CSV folder');
};

const readExport = async (path: string, format: ExportFormat, limits: ImportLimitsOverride): Promise<MisSnapshot> => {
  const f = (name: string) => join(path, name);
  const parsed =
    format === 'ctf'
      ? await parseCtf(fileSource(path), { limits })
      : await parseSimsCsv({
          students: fileSource(f('students.csv')),
          contacts: fileSource(f('contacts.csv')),
          ...(existsSync(f('staff.csv')) ? { staff: fileSource(f('staff.csv')) } : {}),
          ...(existsSync(f('groups.csv')) ? { groups: fileSource(f('groups.csv')) } : {}),
        }, { limits });
  // Parse errors name the file and place, never a value from it.
  if (parsed._tag === 'Left') throw new SyncError(parsed.left.message);
  return parsed.right;
};

/** The store as the service writes to it: every append's position is noted, so reads can wait for the views to take it in. */
const trackedStore = (inner: EventStore, onPositions: (positions: ReadonlyArray<number>) => void): EventStore => {
  const appendMany = inner.appendMany;
  return {
    append: async (streamId, events, expected) => {
      const r = await inner.append(streamId, events, expected);
      if (r._tag === 'Right') onPositions(r.right.positions);
      return r;
    },
    ...(appendMany === undefined
      ? {}
      : {
          appendMany: async (batches: ReadonlyArray<StreamAppend>) => {
            const r = await appendMany(batches);
            if (r._tag === 'Right') for (const b of r.right) onPositions(b.positions);
            return r;
          },
        }),
    readStream: (streamId, options) => inner.readStream(streamId, options),
    readAll: (options) => inner.readAll(options),
    subscribe: (options) => inner.subscribe(options),
    forget: (subject) => inner.forget(subject),
    compact: () => inner.compact(),
    checkpoints: inner.checkpoints,
    close: () => inner.close(),
  };
};

const defaultLogger: Logger = { info: (l) => console.log(l), error: (l) => console.error(l) };

/** A sync failure whose message we wrote: no personal values, fit for the log. */
class SyncError extends Error {}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Creates the service. Nothing runs until `listen`. */
export const createService = (options: ServiceOptions): Service => {
  const schoolId = options.schoolId ?? 'default';
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidV7Ids;
  const log = options.logger ?? defaultLogger;
  const maxBody = options.maxBodyBytes ?? 1_048_576;
  const readYourWritesMs = options.readYourWritesMs ?? 2_000;
  // The school's day (Europe/London), not the UTC date: a sync just after midnight in summer is already the next day.
  const today = options.today ?? (() => localDayOf(clock.now()));
  if (options.syncAt != null && !SYNC_AT.test(options.syncAt)) throw new Error(`syncAt must be HH:MM (UTC), e.g. 02:00 (got "${options.syncAt}")`);
  if (options.syncEveryMs !== undefined && !(Number.isFinite(options.syncEveryMs) && options.syncEveryMs > 0)) throw new Error('syncEveryMs must be a positive number of milliseconds');

  let lastWritten = 0;
  const store = trackedStore(options.store, (positions) => {
    for (const p of positions) if (p > lastWritten) lastWritten = p;
  });
  const deps: HandlerDeps = { store, clock, ids };
  const runner: ProjectionRunner = createRunner({ store: options.store, projection: createProjection({ schoolId }), name: `http-service:${schoolId}` });
  // The webhook endpoints are the console's (`contactable serve` serves the same ones), mounted here.
  const webhooks = createWebhookHandler({
    deps,
    schoolId,
    webhooks: options.webhooks ?? {},
    logger: log,
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    ...(options.confirmSubscription !== undefined ? { confirmSubscription: options.confirmSubscription } : {}),
    ...(options.callbackMemory !== undefined ? { callbackMemory: options.callbackMemory } : {}),
  });

  /** Resolves once the live views hold everything this service wrote (or after a bounded wait: then they may lag a little). */
  const caughtUp = async (): Promise<void> => {
    const target = lastWritten;
    if (runner.projection.position >= target) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([runner.waitFor(target), new Promise<void>((r) => (timer = setTimeout(r, readYourWritesMs)))]);
    clearTimeout(timer);
  };

  // ---- the sync (R-OPS-1) -------------------------------------------------------------------------

  let running: Promise<SyncResult> | null = null;
  let closing = false;

  const sync = async (): Promise<SyncResult> => {
    const started = Date.now();
    const seconds = (): number => Number(((Date.now() - started) / 1000).toFixed(2));
    const fail = (error: string): SyncResult => {
      const s = seconds();
      log.error(`sync failed after ${s} s: ${error}`);
      return { status: 'failed', error, seconds: s };
    };
    try {
      const path = options.exportPath;
      if (path === undefined || path === '') return fail('no export is configured (CONTACTABLE_EXPORT)');
      if (!existsSync(path)) return fail('the export path does not exist');
      const format = await guessExportFormat(path);
      const settings = await loadImportSettings(store, schoolId);
      if (settings._tag === 'Left') return fail(settings.left.message);
      // The school's import limits bound what one export may hold (a hostile file is refused whole, quickly).
      const snapshot = await readExport(path, format, settings.right.limits ?? {});
      const runId = `sync-${ids.next()}`;
      const outcome = await runImport(deps, snapshot, settings.right, today(), { runId, format, sourceName: basename(path), schoolId });
      if (outcome._tag === 'Left') return fail(`${outcome.left.message} (the next sync carries on where it stopped)`);
      const o = outcome.right;
      const c = o.counts;
      // Confirmations of new or changed details go into the outbox (R-CON-10); `contactable send-pending` sends them.
      if (o.recorded && o.plan.confirmations.length > 0) {
        const queued = await sendConfirmations({ ...deps, schoolId, directory: storeDirectory(store), actor: { kind: 'import', runId } }, o.plan.confirmations, { messageId: `confirm-${runId}` });
        if (queued._tag === 'Left') log.error(`sync ${runId}: confirmations could not be queued: ${queued.left.message}`);
      }
      const result: SyncResult = {
        status: 'done',
        runId,
        format,
        recorded: o.recorded,
        counts: {
          membersAdded: c.membersAdded,
          membersChanged: c.membersChanged,
          leavers: c.leavers,
          contactsAdded: c.contactsAdded,
          contactsChanged: c.contactsChanged,
          groupsChanged: c.groupsChanged,
          eventsAppended: c.eventsAppended,
          confirmations: o.plan.confirmations.length,
        },
        refused: o.refused.length,
        seconds: seconds(),
      };
      log.info(
        o.recorded
          ? `sync ${runId} (${format}): members +${c.membersAdded} ~${c.membersChanged}, leavers ${c.leavers}, contacts +${c.contactsAdded} ~${c.contactsChanged}, groups ~${c.groupsChanged}, ` +
              `${c.eventsAppended} events, ${o.refused.length} refused, ${o.plan.confirmations.length} confirmations queued in the outbox, ${result.seconds} s`
          : `sync ${runId} (${format}): no change, nothing recorded, ${result.seconds} s`,
      );
      return result;
    } catch (e) {
      // Our own messages hold no personal values; anything else is named only (its message could quote data).
      if (e instanceof SyncError) return fail(e.message);
      const code = (e as NodeJS.ErrnoException | null)?.code;
      return fail(`${e instanceof Error ? e.name : 'error'}${typeof code === 'string' ? ` (${code})` : ''}`);
    }
  };

  const runNightlySync = (): Promise<SyncResult> => {
    if (running !== null) {
      log.info('sync skipped: the previous sync is still running');
      return Promise.resolve({ status: 'skipped', reason: 'the previous sync is still running' });
    }
    if (closing) return Promise.resolve({ status: 'skipped', reason: 'the service is closing' });
    const current = sync().finally(() => {
      running = null;
    });
    running = current;
    return current;
  };

  let daily: NodeJS.Timeout | null = null;
  let every: NodeJS.Timeout | null = null;

  const armDaily = (): void => {
    if (options.syncAt == null || closing) return;
    const delay = delayUntil(options.syncAt, Date.parse(clock.now()));
    daily = setTimeout(() => {
      daily = null;
      void runNightlySync().finally(armDaily);
    }, delay);
    daily.unref();
  };

  const arm = (): void => {
    armDaily();
    if (options.syncEveryMs !== undefined) {
      every = setInterval(() => void runNightlySync(), options.syncEveryMs);
      every.unref();
    }
  };

  // ---- HTTP ---------------------------------------------------------------------------------------

  const webhook = async (req: IncomingMessage, res: ServerResponse, provider: string): Promise<void> => {
    const body = await readBody(req, maxBody);
    const answer = await webhooks(provider, { body, headers: req.headers, pathAndQuery: req.url ?? '/', host: req.headers.host });
    send(res, answer.status, answer.body);
  };

  const optOut = async (req: IncomingMessage, res: ServerResponse, contactId: string): Promise<void> => {
    const raw = await readBody(req, maxBody);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'the body must be JSON: { "by": "who records it", "reason": "why" }');
    }
    const o = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
    const by = typeof o.by === 'string' ? o.by.trim() : '';
    if (by === '') throw new HttpError(400, '"by" is required: who records the opt-out');
    if (o.reason !== undefined && typeof o.reason !== 'string') throw new HttpError(400, '"reason" must be text');
    const r = await handleCommand(deps, contactDecider, contactStream(contactId), { type: 'OptOut', contactId, via: 'staff' }, {
      schoolId,
      actor: { kind: 'person', name: by },
      reason: typeof o.reason === 'string' && o.reason.trim() !== '' ? o.reason.trim() : null,
    });
    if (r._tag === 'Left') {
      const e = r.left;
      const status = e._tag === 'DomainError' ? (e.code === 'not-found' ? 404 : 409) : e._tag === 'ConcurrencyExhausted' ? 503 : 500;
      throw new HttpError(status, e.message);
    }
    log.info(`opt-out: contact ${contactId}, ${r.right.appended.length} events`);
    send(res, 200, { contactId, changed: r.right.appended.length > 0, recorded: r.right.appended.map((e) => e.type) });
  };

  const staff = (req: IncomingMessage): void => {
    const token = options.staffToken;
    if (token === undefined || token === '') return;
    const m = /^Bearer\s+(.+)$/i.exec((req.headers.authorization ?? '').trim());
    if (m === null) throw new HttpError(401, 'staff endpoints need Authorization: Bearer <token>');
    if (!timingSafeEqual(digest(m[1]!), digest(token))) throw new HttpError(403, 'the staff token does not match');
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    const parts = path.split('/').filter((p) => p !== '');
    const method = req.method ?? 'GET';
    const only = (allowed: string): void => {
      if (method !== allowed) {
        res.setHeader('allow', allowed);
        throw new HttpError(405, `use ${allowed}`);
      }
    };
    if (parts.length === 1 && parts[0] === 'health') {
      only('GET');
      send(res, 200, { ok: runner.running() && !closing, position: runner.projection.position });
      return;
    }
    if (parts.length === 2 && parts[0] === 'webhooks') {
      const provider = WEBHOOK_PROVIDERS.find((p) => p === parts[1]);
      if (provider === undefined) throw new HttpError(404, 'no such provider: use sendgrid, twilio, ses or notify');
      only('POST');
      return webhook(req, res, provider);
    }
    if (parts.length === 3 && parts[0] === 'members' && parts[2] === 'linked-people') {
      only('GET');
      staff(req);
      const memberId = segment(parts[1]!);
      await caughtUp();
      const view = linkedPeople(runner.projection, memberId);
      if (view === null) throw new HttpError(404, 'no such member in this school');
      send(res, 200, view);
      return;
    }
    if (parts.length === 3 && parts[0] === 'contacts' && parts[2] === 'opt-out') {
      only('POST');
      staff(req);
      return optOut(req, res, segment(parts[1]!));
    }
    throw new HttpError(404, 'not found');
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (e instanceof HttpError) {
        if (e.status === 413) res.setHeader('connection', 'close');
        send(res, e.status, { error: e.message });
        return;
      }
      // No stack, no message (it could quote data): the error's name only.
      log.error(`${req.method ?? '?'} request failed: ${e instanceof Error ? e.name : 'error'}`);
      send(res, 500, { error: 'internal error' });
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  let bound: { host: string; port: number } | null = null;

  return {
    listen: async (port, host = '127.0.0.1') => {
      await runner.start();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const a = server.address() as AddressInfo;
      bound = { host: a.address, port: a.port };
      arm();
      log.info(`listening on http://${bound.host}:${bound.port} (school ${schoolId}${options.syncAt != null ? `, daily sync at ${options.syncAt} UTC` : ''}${options.syncEveryMs !== undefined ? `, sync every ${options.syncEveryMs} ms` : ''})`);
      return bound;
    },
    close: async () => {
      closing = true;
      if (daily !== null) clearTimeout(daily);
      if (every !== null) clearInterval(every);
      daily = every = null;
      if (running !== null) await running;
      if (server.listening) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
      }
      await runner.stop();
      bound = null;
    },
    runNightlySync,
    address: () => bound,
  };
};
