/**
 * The console over HTTP, as a browser or a script would meet it: nothing without a session, a CSRF
 * token on every form, wrong passwords and floods of them refused, compliance reading only, a form
 * posted twice recorded once, bad uploads refused with the reason, and logs with no personal values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctfChunks, generateSchool } from '@contactable/adapters-sims';
import { readAllEvents, staffStream, type EventStore } from '@contactable/core';
import type { Views } from '@contactable/projections';
import { client, PASSWORD, STAFF, startWorld, TODAY, type World } from './support/world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
});

const countEvents = async (store: EventStore, type?: string): Promise<number> => {
  let n = 0;
  for await (const e of readAllEvents(store)) if (type === undefined || e.type === type) n++;
  return n;
};

/** A member page with a linked person who has an email address, and that contact's id. */
const somePrimeParent = async (views: Views): Promise<{ ref: string; contactId: string; name: string }> => {
  for (const m of await views.members({ kind: 'student', roll: 'on-roll' })) {
    const v = await views.linkedPeople(m.memberId);
    const c = v?.linkedPeople.find((l) => l.prime && l.email !== null && l.usableMethods.includes('email') && !l.optedOut);
    if (c !== undefined && m.misReference !== null) return { ref: m.misReference, contactId: c.contactId, name: `${c.name!.given} ${c.name!.family}` };
  }
  throw new Error('no prime parent with an email');
};

describe('no page or JSON without a session', () => {
  it('sends pages to sign-in, answers JSON and posts 401, and keeps unknown addresses behind sign-in too', async () => {
    const b = client(w.base);
    for (const path of ['/', '/data-issues', '/members', '/members/X000000000001', '/groups', '/import', '/settings', '/staff', '/audit/anything', '/no-such-page']) {
      const r = await b.get(path);
      expect(r.status, path).toBe(303);
      expect(r.location).toBe(`/login?next=${encodeURIComponent(path)}`);
      expect(r.text).not.toMatch(/X0000|@/);
    }
    for (const path of ['/', '/data-issues', '/members']) {
      const r = await b.get(path, { accept: 'application/json' });
      expect(r.status).toBe(401);
      expect(JSON.parse(r.text)).toEqual({ error: 'sign in first' });
    }
    const posted = await b.post('/contacts/anyone/opt-out', { _csrf: 'x', _once: 'y' });
    expect(posted.status).toBe(401);
    // Open: the sign-in page, the assets, health, and the providers' webhooks (which check signatures instead).
    expect((await b.get('/login')).status).toBe(200);
    expect((await b.get('/assets/console.css')).status).toBe(200);
    expect(JSON.parse((await b.get('/health')).text)).toMatchObject({ ok: true });
    expect((await b.post('/webhooks/sendgrid', {})).status).toBe(500);
  });
});

describe('signing in', () => {
  it('refuses a wrong password and an unknown email without a session, then lets the right password in', async () => {
    const b = client(w.base);
    const wrong = await b.signIn(STAFF.office.email, 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('do not match an account');
    expect([...b.jar.keys()].some((k) => k === '__Host-contactable')).toBe(false);
    expect((await b.signIn('nobody@school.example')).status).toBe(401);
    expect((await b.get('/')).status).toBe(303);
    const right = await b.signIn(STAFF.office.email);
    expect(right.status).toBe(303);
    expect(right.location).toBe('/');
    const cookie = right.headers.getSetCookie().find((c) => c.startsWith('__Host-contactable='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect((await b.get('/')).status).toBe(200);
  });

  it('refuses a sign-in form without its own token', async () => {
    const b = client(w.base);
    await b.get('/login');
    const r = await b.post('/login', { _csrf: 'forged', email: STAFF.admin.email, password: PASSWORD, next: '/' });
    expect(r.status).toBe(400);
    expect((await b.get('/')).status).toBe(303);
  });

  it('slows a flood of wrong passwords: the sixth try is refused even with the right one', async () => {
    const b = client(w.base);
    for (let i = 0; i < 5; i++) expect((await b.signIn(STAFF.compliance.email, `wrong ${i}`)).status).toBe(401);
    const r = await b.signIn(STAFF.compliance.email);
    expect(r.status).toBe(429);
    expect(r.text).toContain('Too many wrong passwords');
  });

  it('goes to the page first asked for, and never off the site', async () => {
    const b = client(w.base);
    const first = await b.get('/groups');
    const page = await b.get(first.location!);
    const r = await b.post('/login', { ...b.formTokens(page.text, '/login'), email: STAFF.admin.email, password: PASSWORD });
    expect(r.location).toBe('/groups');
    const evil = client(w.base);
    const p2 = await evil.get('/login?next=//evil.example/');
    const r2 = await evil.post('/login', { ...evil.formTokens(p2.text, '/login'), email: STAFF.admin.email, password: PASSWORD });
    expect(r2.location).toBe('/');
  });
});

describe('forms', () => {
  it('R-AUD-1 R-CON-2 need the CSRF token, record the signed-in person, and record once when posted twice', async () => {
    const b = client(w.base);
    await b.signIn(STAFF.office.email);
    const p = await somePrimeParent(w.views);
    const page = await b.get(`/members/${p.ref}`);
    expect(page.status).toBe(200);
    const tokens = b.formTokens(page.text, `/contacts/${p.contactId}/opt-out`);
    const before = await countEvents(w.store, 'OptedOut');
    const noCsrf = await b.post(`/contacts/${p.contactId}/opt-out`, { ...tokens, _csrf: 'wrong', reason: 'phoned' });
    expect(noCsrf.status).toBe(403);
    const missing = await b.post(`/contacts/${p.contactId}/opt-out`, { _once: tokens._once!, _back: tokens._back!, reason: 'phoned' });
    expect(missing.status).toBe(403);
    expect(await countEvents(w.store, 'OptedOut')).toBe(before);
    const first = await b.post(`/contacts/${p.contactId}/opt-out`, { ...tokens, reason: 'phoned the office' });
    expect(first.status).toBe(303);
    expect(first.location).toBe(`/members/${p.ref}`);
    const again = await b.post(`/contacts/${p.contactId}/opt-out`, { ...tokens, reason: 'phoned the office' });
    expect(again.status).toBe(303);
    expect(again.location).toBe(first.location);
    expect(await countEvents(w.store, 'OptedOut')).toBe(before + 1);
    let recorded: { metadata: unknown } | undefined;
    for await (const e of readAllEvents(w.store)) if (e.type === 'OptedOut') recorded = e;
    // The typed words are the sealed free text; the code beside them stays readable after erasure.
    expect(recorded!.metadata).toMatchObject({ actor: { kind: 'person', name: STAFF.office.name }, reason: 'phoned the office', reasonCode: 'staff-opt-out' });
    const after = await b.get(`/members/${p.ref}`);
    expect(after.text).toContain('That was already recorded');
    expect(after.text).toContain(`Opt ${p.name} back in`);
    // A form never issued is refused.
    const forged = await b.post(`/contacts/${p.contactId}/opt-in`, { _csrf: tokens._csrf!, _once: 'made-up', _back: '/' });
    expect(forged.status).toBe(400);
  });

  it('R-GRP-2 a group form posted twice makes one group', async () => {
    const b = client(w.base);
    await b.signIn(STAFF.office.email);
    const page = await b.get('/groups');
    const tokens = b.formTokens(page.text, '/groups');
    const before = await countEvents(w.store, 'GroupCreated');
    const one = await b.post('/groups', { ...tokens, name: 'Twice Posted', kind: 'own' });
    const two = await b.post('/groups', { ...tokens, name: 'Twice Posted', kind: 'own' });
    expect(one.location).toBe(two.location);
    expect(await countEvents(w.store, 'GroupCreated')).toBe(before + 1);
  });
});

describe('roles', () => {
  it('compliance reads every page but its forms are refused, and it has no action buttons', async () => {
    const office = client(w.base);
    await office.signIn(STAFF.office.email);
    const p = await somePrimeParent(w.views);
    const officePage = await office.get(`/members/${p.ref}`);
    const tokens = office.formTokens(officePage.text, `/contacts/${p.contactId}/opt-out`);
    const b = client(w.base);
    const signed = await b.signIn(STAFF.admin.email);
    expect(signed.status).toBe(303);
    // A compliance account of its own, so the throttle test above does not get in the way.
    const staffPage = await b.get('/staff');
    const add = await b.post('/staff', { ...b.formTokens(staffPage.text, '/staff'), email: 'casey.audit@school.example', name: 'Casey Audit', role: 'compliance', password: PASSWORD });
    expect(add.status).toBe(303);
    const c = client(w.base);
    expect((await c.signIn('casey.audit@school.example')).status).toBe(303);
    for (const path of ['/', '/data-issues', '/members', `/members/${p.ref}`, '/groups', `/audit/${p.ref}`, `/explain/${p.contactId}`]) expect((await c.get(path)).status, path).toBe(200);
    const page = await c.get(`/members/${p.ref}`);
    expect(page.text).not.toContain('/opt-out"');
    expect(page.text).not.toContain('/re-enable"');
    for (const path of ['/settings', '/staff', '/import', '/members/new']) expect((await c.get(path)).status, path).toBe(403);
    // Even with a real form's tokens (its own CSRF), a compliance post is refused and writes nothing.
    const before = await countEvents(w.store);
    const own = await c.get('/groups');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(own.text)![1]!;
    const r = await c.post(`/contacts/${p.contactId}/opt-out`, { _csrf: csrf, _once: tokens._once!, _back: '/' });
    expect(r.status).toBe(403);
    expect(r.text).toContain('compliance');
    expect(await countEvents(w.store)).toBe(before);
  });

  it('office staff cannot change settings or staff', async () => {
    const b = client(w.base);
    await b.signIn(STAFF.office.email);
    expect((await b.get('/settings')).status).toBe(403);
    expect((await b.get('/staff')).status).toBe(403);
    const page = await b.get('/groups');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const before = await countEvents(w.store);
    expect((await b.post('/settings/schedule', { _csrf: csrf, _once: 'x', exportPath: '/tmp/x', at: '02:00' })).status).toBe(403);
    expect((await b.post('/staff', { _csrf: csrf, _once: 'x', email: 'new@school.example', name: 'New', role: 'admin', password: PASSWORD })).status).toBe(403);
    expect(await countEvents(w.store)).toBe(before);
  });

  it('R-DEL-3 an admin removes someone: their sessions end and their password hash reads XXXX in the log', async () => {
    const admin = client(w.base);
    await admin.signIn(STAFF.admin.email);
    const page = await admin.get('/staff');
    const added = await admin.post('/staff', { ...admin.formTokens(page.text, '/staff'), email: 'temp.worker@school.example', name: 'Temp Worker', role: 'office', password: 'a long enough password' });
    expect(added.status).toBe(303);
    const temp = client(w.base);
    expect((await temp.signIn('temp.worker@school.example', 'a long enough password')).status).toBe(303);
    expect((await temp.get('/')).status).toBe(200);
    const account = (await w.views.staffAccount('temp.worker@school.example'))!;
    const list = await admin.get('/staff');
    const removed = await admin.post(`/staff/${account.staffId}/remove`, { ...admin.formTokens(list.text, `/staff/${account.staffId}/remove`), confirmed: 'yes' });
    expect(removed.status).toBe(303);
    expect((await temp.get('/')).status).toBe(303);
    expect((await temp.signIn('temp.worker@school.example', 'a long enough password')).status).toBe(401);
    const events = await w.store.readStream(staffStream(account.staffId));
    expect(events.map((e) => e.type)).toEqual(['StaffAdded', 'StaffRemoved']);
    expect(events[0]!.data).toMatchObject({ email: 'XXXX', name: 'XXXX', passwordHash: 'XXXX', role: 'office' });
    expect(events[1]!.metadata).toMatchObject({ actor: { kind: 'person', name: STAFF.admin.name } });
    // The last admin cannot be removed.
    const me = (await w.views.staffAccount(STAFF.admin.email))!;
    const again = await admin.get('/staff');
    const refused = await admin.post(`/staff/${me.staffId}/remove`, { ...admin.formTokens(again.text, `/staff/${me.staffId}/remove`), confirmed: 'yes' });
    expect(refused.status).toBe(303);
    expect((await admin.get('/staff')).text).toContain('no admin left');
  });
});

describe('bad input', () => {
  it('answers an unknown page with a 404 page, and an unknown member with one too', async () => {
    const b = client(w.base);
    await b.signIn(STAFF.office.email);
    const r = await b.get('/no-such-page');
    expect(r.status).toBe(404);
    expect(r.text).toContain('Page not found');
    expect(r.text).toContain('<nav');
    expect((await b.get('/members/NOBODY123')).status).toBe(404);
  });

  it('refuses uploads over the limit, and of the wrong kind, saying why; nothing is imported', async () => {
    const small = await startWorld({ pupils: 5, options: { maxUploadBytes: 20_000 } });
    try {
      const b = client(small.base);
      await b.signIn(STAFF.office.email);
      const before = await countEvents(small.store);
      const page = await b.get('/import');
      const big = new FormData();
      for (const [k, v] of Object.entries(b.formTokens(page.text, '/import'))) big.set(k, v);
      const bigFile = ctfOf(60);
      expect(bigFile.length).toBeGreaterThan(40_000);
      big.set('file', new Blob([bigFile]), 'school.xml');
      const tooBig = await b.postMultipart('/import', big);
      expect(tooBig.status).toBe(413);
      expect(tooBig.text).toContain('larger than');
      const page2 = await b.get('/import');
      const wrong = new FormData();
      for (const [k, v] of Object.entries(b.formTokens(page2.text, '/import'))) wrong.set(k, v);
      wrong.set('file', new Blob(['%PDF-1.7 not an export']), 'report.pdf');
      const r = await b.postMultipart('/import', wrong);
      expect(r.status).toBe(303);
      const shown = await b.get(r.location!);
      expect(shown.text).toContain('is not an export this console reads');
      expect(await countEvents(small.store)).toBe(before);
    } finally {
      await small.close();
    }
  });

  it('R-IMP-1 an upload shows the dry run with names, records nothing until confirmed, and once when confirmed twice', async () => {
    const b = client(w.base);
    await b.signIn(STAFF.office.email);
    const page = await b.get('/import');
    const form = new FormData();
    for (const [k, v] of Object.entries(b.formTokens(page.text, '/import'))) form.set(k, v);
    form.set('file', new Blob([ctfOf(40, 1)]), 'day1.xml');
    form.set('today', '2026-09-09');
    const before = await countEvents(w.store);
    const up = await b.postMultipart('/import', form);
    expect(up.status).toBe(303);
    const plan = await b.get(up.location!);
    expect(plan.status).toBe(200);
    expect(plan.text).toContain('What the import would change');
    expect(plan.text).toMatch(/Leavers \(\d+\)/);
    expect(plan.text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}<\/li>/);
    expect(await countEvents(w.store)).toBe(before);
    const tokens = b.formTokens(plan.text, '/import/confirm');
    const done = await b.post('/import/confirm', tokens);
    expect(done.status).toBe(303);
    const after = await countEvents(w.store);
    expect(after).toBeGreaterThan(before);
    const twice = await b.post('/import/confirm', tokens);
    expect(twice.location).toBe(done.location);
    expect(await countEvents(w.store)).toBe(after);
    expect((await b.get(done.location!)).text).toContain('Import recorded');
  });

  it('ends a session after its idle time and sends the person back to sign in', async () => {
    const quick = await startWorld({ pupils: 3, options: { sessionTimes: { idleMs: 200, absoluteMs: 60_000 } } });
    try {
      const b = client(quick.base);
      await b.signIn(STAFF.office.email);
      expect((await b.get('/')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      const r = await b.get('/data-issues');
      expect(r.status).toBe(303);
      expect(r.location).toBe('/login?next=%2Fdata-issues&expired=1');
      expect((await b.get(r.location!)).text).toContain('Your session ended');
    } finally {
      await quick.close();
    }
  });

  it('logs route patterns and counts, never a name, email, MIS reference or stack', async () => {
    const seen = w.logs.join('\n');
    expect(seen).toContain('GET /members/:ref 200');
    expect(seen).not.toMatch(/@school\.example|@example\.|X0000\d{8}/);
    for (const s of Object.values(STAFF)) expect(seen).not.toContain(s.name);
    expect(seen).not.toMatch(/\n\s+at /);
  });

  it('answers an unexpected failure with a page and logs its name only', async () => {
    const failing = await startWorld({ pupils: 3 });
    try {
      const views = failing.views as { members: Views['members'] };
      views.members = async () => {
        throw new TypeError('cannot read Ngozi Okafor ngozi@example.org');
      };
      const b = client(failing.base);
      await b.signIn(STAFF.office.email);
      const r = await b.get('/members');
      expect(r.status).toBe(500);
      expect(r.text).toContain('Something went wrong');
      expect(r.text).not.toContain('Ngozi');
      const logged = failing.logs.join('\n');
      expect(logged).toContain('GET request failed: TypeError');
      expect(logged).not.toContain('Ngozi');
      expect(logged).not.toMatch(/\n\s+at /);
    } finally {
      await failing.close();
    }
  });
});

describe('JSON', () => {
  it('keeps ids and adds names', async () => {
    const b = client(w.base);
    await b.signIn(STAFF.office.email);
    const issues = JSON.parse((await b.get('/data-issues', { accept: 'application/json' })).text) as Array<Record<string, unknown>>;
    expect(Array.isArray(issues)).toBe(true);
    for (const i of issues) expect(Object.keys(i).sort()).toEqual(['contactId', 'contactName', 'detail', 'memberId', 'memberName', 'misReference', 'raisedAt', 'relatedContactId', 'relatedContactName', 'type']);
    const dash = JSON.parse((await b.get('/', { accept: 'application/json' })).text);
    expect(dash.studentsWithContactablePrimeParent.total).toBeGreaterThan(0);
    expect(dash.messagesLast7Days).toHaveLength(7);
  });
});

/** A generated school as CTF text, `day` days on (with churn). */
function ctfOf(pupils: number, day = 0): string {
  return [...ctfChunks(generateSchool({ seed: 'console-tests', pupils, day, today: TODAY }).snapshot)].join('');
}

describe('the nightly sync', () => {
  it('R-OPS-1 R-IMP-1 an admin sets the export and the time; the console arms it in the school zone and runs it on demand', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'contactable-sync-'));
    try {
      const file = join(dir, 'export.xml');
      writeFileSync(file, ctfOf(40, 2));
      const b = client(w.base);
      await b.signIn(STAFF.admin.email);
      const page = await b.get('/settings');
      const saved = await b.post('/settings/schedule', { ...b.formTokens(page.text, '/settings/schedule'), exportPath: file, at: '02:30' });
      expect(saved.status).toBe(303);
      const shown = await b.get('/settings');
      expect(shown.text).toContain('Runs every day at 02:30');
      expect(shown.text).toMatch(/next at \d+ \w+ 2026, 02:30 (BST|GMT)/);
      const before = await countEvents(w.store);
      const ran = await b.post('/settings/sync-now', b.formTokens(shown.text, '/settings/sync-now'));
      expect(ran.status).toBe(303);
      expect((await b.get('/settings')).text).toMatch(/Sync: \d+ changes recorded/);
      expect(await countEvents(w.store)).toBeGreaterThan(before);
      // The same export again records nothing.
      const again = await b.get('/settings');
      await b.post('/settings/sync-now', b.formTokens(again.text, '/settings/sync-now'));
      expect((await b.get('/settings')).text).toContain('nothing had changed');
      const bad = await b.get('/settings');
      await b.post('/settings/schedule', { ...b.formTokens(bad.text, '/settings/schedule'), exportPath: file, at: '25:00' });
      expect((await b.get('/settings')).text).toContain('HH:MM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
