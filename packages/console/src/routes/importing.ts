/** `/import`: upload an export (size and kind checked), see the dry-run diff with names, confirm. */
import type { Hono } from 'hono';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { contactDecider, contactStream, handleCommand, loadHeldState, planAddressBook, runImport, type ContactCommand, type LocalDate } from '@contactable/core';
import { localDateOf, namePlan, nameIdsIn, officeText, type NamedEntry, type NamedPlan } from '@contactable/projections';
import { act, actorOf, formCommandId, problemPage, renderPage, Refused, sessionOf, type AppEnv, type ConsoleEnv } from '../env.js';
import { ExportError, readExport, type ExportContent } from '../exportFile.js';
import { importedPage, importPage, planPage } from '../pages/importing.js';
import { randomToken, type Session } from '../sessions.js';

/** An upload waiting for confirmation. */
interface Upload {
  readonly path: string;
  readonly fileName: string;
  readonly format: string;
  readonly today: LocalDate;
  readonly plan: NamedPlan;
}

/** What an import recorded, for its result page. */
interface Imported {
  readonly fileName: string;
  readonly recorded: boolean;
  readonly counts: Readonly<Record<string, number>>;
  readonly refused: number;
}

const uploadOf = (s: Session, token: string): Upload | undefined => s.uploads.get(token) as Upload | undefined;

/** Deletes a session's waiting uploads (on sign-out or expiry). */
export const dropUploads = async (s: Session): Promise<void> => {
  for (const u of s.uploads.values()) await rm((u as Upload).path, { force: true }).catch(() => undefined);
  s.uploads.clear();
};

// An address-book upload planned as the office reads it: who is added and who changes.
const addressBookPlan = async (env: ConsoleEnv, content: Extract<ExportContent, { kind: 'address-book' }>): Promise<{ plan: NamedPlan; commands: ReadonlyArray<{ id: string; command: ContactCommand }> }> => {
  const held = await loadHeldState(env.store, env.schoolId);
  if (E.isLeft(held)) throw new Refused('The school\'s data could not be read: try again, or ask an admin.');
  const p = planAddressBook(content.entries, held.right);
  const entry = (c: { id: string; command: ContactCommand }): NamedEntry => ({ id: c.id, name: 'name' in c.command && c.command.name !== undefined ? `${c.command.name.given} ${c.command.name.family}` : 'someone', misReference: null, what: null });
  const warnings: string[] = [];
  for (const w of p.warnings) warnings.push(officeText(await nameIdsIn(w.message, env.views)));
  const plan: NamedPlan = {
    members: { added: [], changed: [], leavers: [] },
    contacts: { added: p.commands.filter((c) => c.change === 'add').map(entry), changed: p.commands.filter((c) => c.change !== 'add').map(entry) },
    groups: { added: [], changed: [] },
    issues: { stalePreAdmissions: [], invalidEmails: [], invalidMobiles: [] },
    permissionFailures: [],
    warnings,
    skipped: [],
    events: p.commands.reduce((n, c) => n + c.events, 0),
  };
  return { plan, commands: p.commands };
};

/** Registers the import routes. */
export const registerImport = (app: Hono<AppEnv>, env: ConsoleEnv): void => {
  app.get('/import', (c) => {
    if (sessionOf(c).user.role === 'compliance') return problemPage(c, env, 403, 'Not allowed', 'Your role (compliance) can read everything but change nothing.');
    return renderPage(c, env, { title: 'Import', active: 'import', body: (ctx) => importPage(ctx, { today: localDateOf(env.clock.now(), env.zone), maxMb: Math.floor(env.maxUploadBytes / 1_048_576) }) });
  });

  app.post('/import', (c) =>
    act(c, env, 'act-on-contacts', async (form, _once, body) => {
      const file = body.file;
      if (!(file instanceof File) || file.size === 0) throw new Refused('Choose the export file to upload.');
      if (file.size > env.maxUploadBytes) throw new Refused(`The file is larger than ${Math.floor(env.maxUploadBytes / 1_048_576)} MB.`);
      const today = /^\d{4}-\d{2}-\d{2}$/.test(form.today ?? '') ? form.today! : localDateOf(env.clock.now(), env.zone);
      const token = randomToken(18);
      const path = join(env.uploadDir, token);
      const fileName = file.name.replace(/[^\w .()-]/g, '_').slice(0, 120) || 'export';
      await writeFile(path, Buffer.from(await file.arrayBuffer()), { mode: 0o600 });
      try {
        const content = await readExport(path, fileName);
        let plan: NamedPlan;
        if (content.kind === 'address-book') plan = (await addressBookPlan(env, content)).plan;
        else {
          const settings = (await env.views.school()).settings;
          const r = await runImport(env.deps, content.snapshot, settings, today, { dryRun: true, runId: token, format: content.format, sourceName: fileName, schoolId: env.schoolId });
          if (E.isLeft(r)) throw new Refused(officeText(r.left.message));
          plan = await namePlan(r.right.plan, env.views);
        }
        const s = sessionOf(c);
        for (const [k, u] of s.uploads) {
          // One upload waits at a time per person: an earlier one is dropped.
          await rm((u as Upload).path, { force: true }).catch(() => undefined);
          s.uploads.delete(k);
        }
        s.uploads.set(token, { path, fileName, format: content.format, today, plan } satisfies Upload);
        env.logger.info(`import upload ${token}: ${content.format}, ${file.size} bytes, dry run planned ${plan.events} events`);
        return { location: `/import/plan/${token}`, message: 'Nothing is recorded until you confirm.' };
      } catch (e) {
        await rm(path, { force: true }).catch(() => undefined);
        if (e instanceof ExportError) throw new Refused(`${e.message} Nothing was imported.`);
        throw e;
      }
    }),
  );

  app.get('/import/plan/:token', (c) => {
    const token = c.req.param('token');
    const u = uploadOf(sessionOf(c), token);
    if (u === undefined) return problemPage(c, env, 404, 'No upload waiting', 'That upload was confirmed, replaced or has expired: upload the export again.');
    return renderPage(c, env, { title: 'What the import would change', active: 'import', body: (ctx) => planPage(ctx, { fileName: u.fileName, format: u.format, today: u.today, plan: u.plan, token }) });
  });

  app.post('/import/confirm', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const s = sessionOf(c);
      const token = form.upload ?? '';
      const u = uploadOf(s, token);
      if (u === undefined) throw new Refused('That upload was already recorded or has expired: upload the export again.');
      try {
        const content = await readExport(u.path, u.fileName);
        // The form's one-time token makes the run id: confirming twice records once.
        const runId = formCommandId(once);
        let result: Imported;
        if (content.kind === 'address-book') {
          const { commands } = await addressBookPlan(env, content);
          let appended = 0;
          for (const cmd of commands) {
            const r = await handleCommand(env.deps, contactDecider, contactStream(cmd.id), cmd.command, { schoolId: env.schoolId, actor: actorOf(c), reason: `address-book upload ${u.fileName}`, commandId: `${runId}/${cmd.id}` });
            if (E.isRight(r)) appended += r.right.appended.length;
          }
          result = { fileName: u.fileName, recorded: appended > 0, counts: { eventsAppended: appended, contactsAdded: u.plan.contacts.added.length, contactsChanged: u.plan.contacts.changed.length }, refused: 0 };
        } else {
          const settings = (await env.views.school()).settings;
          const r = await runImport(env.deps, content.snapshot, settings, u.today, { runId, format: content.format, sourceName: u.fileName, schoolId: env.schoolId, actor: actorOf(c) });
          if (E.isLeft(r)) throw new Refused(`${officeText(r.left.message)} Confirm again: the import carries on where it stopped.`);
          const k = r.right.counts;
          result = { fileName: u.fileName, recorded: r.right.recorded, counts: { ...k }, refused: r.right.refused.length };
        }
        s.uploads.delete(token);
        await rm(u.path, { force: true }).catch(() => undefined);
        s.results.set(`import:${runId}`, result);
        env.logger.info(`import ${runId}: ${content.format}, ${result.counts.eventsAppended ?? 0} events, ${result.refused} refused`);
        return { location: `/import/done/${runId}`, message: result.recorded ? 'The import is recorded.' : 'Nothing had changed: nothing was recorded.' };
      } catch (e) {
        if (e instanceof ExportError) throw new Refused(e.message);
        throw e;
      }
    }),
  );

  app.get('/import/done/:runId', (c) => {
    const r = sessionOf(c).results.get(`import:${c.req.param('runId')}`) as Imported | undefined;
    if (r === undefined) return problemPage(c, env, 404, 'No such import', 'This page was shown to whoever confirmed the import, in their session.');
    return renderPage(c, env, { title: 'Import recorded', active: 'import', body: () => importedPage(r) });
  });
};
