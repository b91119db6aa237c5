/**
 * A small school for the console's tests: a generated school imported into a memory store, three
 * staff accounts (admin, office, compliance), and the console listening on loopback. A client keeps
 * cookies and reads each page's form tokens, as a browser would.
 */
import { defaultImportSettings, fixedClock, memoryStore, runImport, type Clock, type EventStore } from '@contactable/core';
import { generateSchool } from '@contactable/adapters-sims';
import { uuidV7Ids } from '@contactable/adapters-store';
import { catchUp, createProjection, projectionViews, type Views } from '@contactable/projections';
import { addStaffAccount, createConsole, type Console, type ConsoleOptions } from '../../src/index.js';

/** The school's day in these tests. */
export const TODAY = '2026-09-08';
export const SCHOOL = 'default';
export const PASSWORD = 'correct horse battery';

/** The accounts made for every world. */
export const STAFF = {
  admin: { email: 'ada.admin@school.example', name: 'Ada Admin', role: 'admin' as const },
  office: { email: 'olu.office@school.example', name: 'Olu Office', role: 'office' as const },
  compliance: { email: 'cam.compliance@school.example', name: 'Cam Compliance', role: 'compliance' as const },
};

/** A running console over a school. */
export interface World {
  readonly store: EventStore;
  readonly views: Views;
  readonly console: Console;
  readonly base: string;
  readonly logs: string[];
  readonly close: () => Promise<void>;
}

/** Views over a store, caught up before each answer (what `contactable serve` gives the console). */
export const viewsOver = (store: EventStore, schoolId = SCHOOL): Views => {
  const p = createProjection({ schoolId });
  return projectionViews(p, async () => {
    await catchUp(store, p);
  });
};

/** Imports a generated school and adds the staff; starts the console. */
export const startWorld = async (o: { readonly pupils?: number; readonly options?: Partial<ConsoleOptions>; readonly clock?: Clock } = {}): Promise<World> => {
  const store = memoryStore();
  const clock = o.clock ?? fixedClock(`${TODAY}T09:00:00.000Z`);
  const deps = { store, clock, ids: uuidV7Ids };
  const school = generateSchool({ seed: 'console-tests', pupils: o.pupils ?? 40, today: TODAY });
  const r = await runImport(deps, school.snapshot, defaultImportSettings, TODAY, { runId: 'first-import', format: 'ctf', sourceName: 'school.xml', schoolId: SCHOOL });
  if (r._tag === 'Left') throw new Error(r.left.message);
  const views = viewsOver(store);
  for (const s of Object.values(STAFF)) {
    const added = await addStaffAccount({ deps, views, schoolId: SCHOOL }, { ...s, password: PASSWORD }, { kind: 'system', name: 'test setup' });
    if (added._tag === 'Left') throw new Error(added.left);
  }
  const logs: string[] = [];
  const console = createConsole({ store, views, schoolId: SCHOOL, clock, logger: { info: (l) => logs.push(l), error: (l) => logs.push(`ERROR ${l}`) }, ...o.options });
  const { url } = await console.listen(0);
  return { store, views, console, base: url, logs, close: () => console.close() };
};

/** A page or JSON answer. */
export interface Answer {
  readonly status: number;
  readonly location: string | null;
  readonly text: string;
  readonly headers: Headers;
}

/** A browser-like client: keeps cookies, follows no redirects by itself, finds forms' tokens. */
export const client = (base: string) => {
  const jar = new Map<string, string>();
  const cookie = (): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (r: Response): void => {
    for (const line of r.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  };
  const answer = async (r: Response): Promise<Answer> => {
    keep(r);
    return { status: r.status, location: r.headers.get('location'), text: await r.text(), headers: r.headers };
  };
  const get = async (path: string, headers: Record<string, string> = {}): Promise<Answer> => answer(await fetch(base + path, { headers: { cookie: cookie(), ...headers }, redirect: 'manual' }));
  const post = async (path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> =>
    answer(await fetch(base + path, { method: 'POST', body: new URLSearchParams(fields), headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded', ...headers }, redirect: 'manual' }));
  const postMultipart = async (path: string, form: FormData): Promise<Answer> => answer(await fetch(base + path, { method: 'POST', body: form, headers: { cookie: cookie() }, redirect: 'manual' }));
  /** The hidden fields of the form posting to `action` on a page (the first such form). */
  const formTokens = (html: string, action: string): Record<string, string> => {
    const at = html.indexOf(`action="${action}"`);
    if (at < 0) throw new Error(`no form posts to ${action}`);
    const end = html.indexOf('</form>', at);
    const form = html.slice(at, end);
    const out: Record<string, string> = {};
    for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]!] = m[2]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
    return out;
  };
  const signIn = async (email: string, password = PASSWORD): Promise<Answer> => {
    const page = await get('/login');
    return post('/login', { ...formTokens(page.text, '/login'), email, password });
  };
  return { get, post, postMultipart, formTokens, signIn, jar };
};
