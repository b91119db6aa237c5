/// <reference lib="dom" />
/**
 * The console in a real browser: Debian's Chromium, headless, driven by playwright-core (its own
 * browser downloads cannot reach the internet here). A small generated school; one browser for the
 * whole file. Sign in, read the dashboard, filter the data issues, opt a parent out, re-enable a
 * blocked email after ticking "confirmed with the contact", make a group and send to it through a
 * loopback SMTP server, print an audit page to PDF; axe-core checks every page on the way.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { contactDecider, contactStream, handleCommand, readAllEvents, type EventStore } from '@contactable/core';
import { uuidV7Ids } from '@contactable/adapters-store';
import { personName } from '@contactable/projections';
import { startSmtpSink, type SmtpSink } from '../../adapters-messaging/test/support/smtpSink.js';
import { PASSWORD, STAFF, startWorld, type World } from './support/world.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const available = existsSync(CHROMIUM);
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let w: World;
let sink: SmtpSink;
let context: BrowserContext;
let page: Page;
let profile: string;
const checked: string[] = [];

/** axe-core in the page (evaluated, so the page's script policy stays as it is): serious or critical violations. */
const axeCheck = async (what: string): Promise<void> => {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }> }> } }).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(' ')}`);
  });
  checked.push(what);
  expect(violations, `accessibility of ${what}`).toEqual([]);
};

const count = async (store: EventStore, type: string): Promise<number> => {
  let n = 0;
  for await (const e of readAllEvents(store)) if (e.type === type) n++;
  return n;
};

describe.skipIf(!available)(available ? 'the console in headless Chromium' : `the console in headless Chromium: SKIPPED, ${CHROMIUM} is not installed (scripts/ensure-chromium.sh installs Debian's chromium)`, () => {
  beforeAll(async () => {
    sink = await startSmtpSink();
    w = await startWorld({ pupils: 30, options: { providerUrl: `smtp://127.0.0.1:${sink.port}?from=office@school.example&starttls=off` } });
    profile = mkdtempSync(join(tmpdir(), 'contactable-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await w?.close();
    await sink?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  it('R-DSH-1 signs in and shows the dashboard', async () => {
    await page.goto(`${w.base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await axeCheck('the sign-in page');
    await page.getByLabel('Email address').fill(STAFF.office.email);
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.flash.refused').textContent()).toContain('do not match');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${w.base}/`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Dashboard');
    const total = (await w.views.dashboard('2026-09-08')).studentsWithContactablePrimeParent.total;
    expect(await page.locator('.cards li').first().textContent()).toContain(String(total));
    expect(await page.locator('figure.chart svg[role="img"]').count()).toBe(1);
    await axeCheck('the dashboard');
  });

  it('R-DSH-3 filters the data issues by type and by member, naming each person', async () => {
    await page.getByRole('link', { name: 'Data issues' }).click();
    await page.waitForURL(`${w.base}/data-issues`);
    await axeCheck('the data issues');
    const all = await w.views.dataIssues();
    const type = all[0]!.type;
    await page.getByLabel('Type').selectOption(type);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/type=/);
    const rows = page.locator('table tbody tr');
    expect(await rows.count()).toBe(all.filter((i) => i.type === type).length);
    expect(await page.locator('table tbody').textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    const withMember = all.find((i) => i.memberId !== null && i.misReference !== null);
    if (withMember !== undefined) {
      await page.getByLabel('Type').selectOption('');
      await page.getByLabel('Member').fill(withMember.misReference!);
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/member=/);
      expect(await page.locator('table tbody').textContent()).toContain(withMember.memberName!);
    }
  });

  it('R-CON-2 R-CON-7 opts a parent out, and re-enables a blocked email only with the confirmation ticked', async () => {
    // A prime parent with an email; three permanent bounces block it (as provider callbacks would).
    let target: { ref: string; contactId: string; name: string; email: string } | null = null;
    for (const m of await w.views.members({ kind: 'student', roll: 'on-roll' })) {
      const v = await w.views.linkedPeople(m.memberId);
      const c = v?.linkedPeople.find((l) => l.prime && l.email?.valid === true && l.usableMethods.includes('email'));
      if (c !== undefined && m.misReference !== null) {
        target = { ref: m.misReference, contactId: c.contactId, name: personName(c.name!), email: c.email!.value };
        break;
      }
    }
    expect(target).not.toBeNull();
    const t = target!;
    const deps = { store: w.store, clock: { now: () => new Date().toISOString() }, ids: uuidV7Ids };
    for (const i of [1, 2, 3]) {
      await handleCommand(deps, contactDecider, contactStream(t.contactId), { type: 'RecordDeliveryFailure', contactId: t.contactId, channel: 'email', address: t.email, permanent: true, detail: null, provider: 'sendgrid', feedbackId: `browser-bounce-${i}`, providerMessageId: null, observedAt: `2026-09-0${i + 4}T10:00:00.000Z` }, { schoolId: 'default', actor: { kind: 'provider', provider: 'sendgrid', verified: true } });
    }
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByLabel('Name or MIS reference').fill(t.ref);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.locator('table a').first().click();
    await page.waitForURL(`${w.base}/members/${t.ref}`);
    await axeCheck("a member's linked people");
    const card = page.locator(`section[aria-labelledby="contact-${t.contactId}"]`);
    expect(await card.textContent()).toContain('emails to this address failed three times');

    const optedOut = await count(w.store, 'OptedOut');
    await card.getByRole('button', { name: `Opt ${t.name} out` }).click();
    await page.waitForURL(`${w.base}/members/${t.ref}`);
    expect(await page.locator('.flash.done').textContent()).toContain(`${t.name} is opted out`);
    expect(await count(w.store, 'OptedOut')).toBe(optedOut + 1);

    const reEnabled = await count(w.store, 'ReEnabled');
    const button = page.locator(`section[aria-labelledby="contact-${t.contactId}"]`).getByRole('button', { name: 'Re-enable emails' });
    // Without the tick the browser will not send the form.
    await button.click();
    expect(await count(w.store, 'ReEnabled')).toBe(reEnabled);
    await page.locator(`section[aria-labelledby="contact-${t.contactId}"]`).getByLabel(/I have confirmed with the contact/).check();
    await button.click();
    await page.waitForURL(`${w.base}/members/${t.ref}`);
    expect(await page.locator('.flash.done').textContent()).toContain('re-enabled');
    expect(await count(w.store, 'ReEnabled')).toBe(reEnabled + 1);
    expect(await page.locator(`section[aria-labelledby="contact-${t.contactId}"]`).textContent()).not.toContain('failed three times');
    // Opted back in, so the group message below can reach them.
    await page.locator(`section[aria-labelledby="contact-${t.contactId}"]`).getByRole('button', { name: `Opt ${t.name} back in` }).click();
    await page.waitForURL(`${w.base}/members/${t.ref}`);
    await page.goto(`${w.base}/contacts/${t.contactId}`);
    await axeCheck("a linked person's page");
  });

  it('R-GRP-2 R-CON-9 makes a Governors group of a member and a linked person, and sends it an email through SMTP', async () => {
    const students = await w.views.members({ kind: 'student', roll: 'on-roll' });
    // A student (messages go to their prime parent) and, directly, another pupil's parent.
    const reachable: Array<{ ref: string; email: string }> = [];
    for (const m of students) {
      const v = await w.views.linkedPeople(m.memberId);
      const c = v?.linkedPeople.find((l) => l.prime && l.usableMethods.includes('email'));
      if (c !== undefined && m.misReference !== null && !reachable.some((r) => r.email === c.email!.value.toLowerCase())) reachable.push({ ref: m.misReference, email: c.email!.value.toLowerCase() });
      if (reachable.length === 2) break;
    }
    const [member, parent] = reachable as [{ ref: string; email: string }, { ref: string; email: string }];
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.waitForURL(`${w.base}/groups`);
    await axeCheck('the groups');
    await page.getByLabel('Name', { exact: true }).fill('Governors 2026');
    await page.getByLabel('Kind').selectOption('governors');
    await page.getByRole('button', { name: 'Make the group' }).click();
    await page.waitForURL(/\/groups\/[0-9a-f-]+$/);
    const who = page.getByLabel(/A member \(name or MIS reference\)/);
    await who.fill(member.ref);
    await page.getByRole('button', { name: 'Add to the group' }).click();
    await expect.poll(() => page.locator('.flash.done').textContent()).toContain('is added to Governors 2026');
    await page.getByLabel(/A member \(name or MIS reference\)/).fill(parent.email);
    await page.getByRole('button', { name: 'Add to the group' }).click();
    await expect.poll(() => page.locator('table tbody tr').count()).toBe(2);
    await axeCheck("a group's page");

    await page.getByLabel('Subject (emails)').fill('Governors meeting');
    await page.getByLabel('Message', { exact: true }).fill('The governors meet on Thursday at 6pm.');
    const form = page.getByRole('form', { name: 'Send a message to this group' });
    const action = await form.getAttribute('action');
    const fields = Object.fromEntries(await form.locator('input[type="hidden"]').evaluateAll((inputs) => inputs.map((i) => [(i as HTMLInputElement).name, (i as HTMLInputElement).value])));
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/\/sent\//);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sent to Governors 2026');
    await axeCheck('the sent report');
    const to = sink.received.map((r) => r.to).flat();
    expect(to).toContain(member.email);
    expect(to).toContain(parent.email);
    expect(sink.received.find((r) => r.to.includes(member.email))?.subject).toBe('Governors meeting');
    expect(await page.locator('.cards li').first().textContent()).toContain('2');
    // The same form sent again (a second click, a resent request): nobody gets the message twice.
    const before = sink.received.length;
    const again = await page.request.post(`${w.base}${action}`, { form: { ...fields, channel: 'email', subject: 'Governors meeting', body: 'The governors meet on Thursday at 6pm.' }, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    expect(new URL(again.headers().location!, w.base).pathname).toBe(new URL(page.url()).pathname);
    expect(sink.received.length).toBe(before);
  });

  it('R-AUD-1 prints a member\'s audit trail to a clean A4 PDF', async () => {
    const m = (await w.views.members({ kind: 'student', roll: 'on-roll' }))[0]!;
    await page.goto(`${w.base}/audit/${m.misReference}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(personName(m.name));
    await axeCheck('an audit trail');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    expect(await page.locator('table').isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4', printBackground: false, preferCSSPageSize: true });
    await page.emulateMedia({ media: 'screen' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // A4 is 595 x 842 points.
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    expect(box).not.toBeNull();
    expect(Math.round(Number(box![1]))).toBe(595);
    expect(Math.round(Number(box![2]))).toBe(842);
  });

  it('keeps every other page free of serious accessibility problems', async () => {
    const contact = (await w.views.dataIssues()).find((i) => i.contactId !== null)?.contactId ?? (await w.views.findContacts('a'))[0]?.value.contactId;
    await page.goto(`${w.base}/members`);
    await axeCheck('the members list');
    await page.goto(`${w.base}/import`);
    await axeCheck('the import page');
    await page.goto(`${w.base}/no-such-page`);
    await axeCheck('the not-found page');
    if (contact !== undefined) {
      await page.goto(`${w.base}/explain/${contact}?channel=email`);
      await axeCheck('an explanation');
    }
    await page.goto(`${w.base}/members/new`);
    await axeCheck('the new member form');
    // Sign out, and in as an admin for the admin pages.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.getByLabel('Email address').fill(STAFF.admin.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${w.base}/`);
    await page.goto(`${w.base}/settings`);
    await axeCheck('the settings');
    await page.goto(`${w.base}/staff`);
    await axeCheck('the staff page');
    expect(checked.length).toBeGreaterThanOrEqual(15);
  });
});
