/** `/settings` and `/staff`: admins only. */
import type { Hono } from 'hono';
import * as E from 'fp-ts/lib/Either.js';
import { handleCommand, ImportSettings, schoolDecider, schoolStream, staffMay, type StaffRole } from '@contactable/core';
import { STAFF_ROLES, addStaffAccount, changeStaffRole, removeStaffAccount } from '../accounts.js';
import { act, actorOf, formCommandId, handledOr, problemPage, renderPage, Refused, required, sessionOf, type AppEnv, type ConsoleEnv, type FormFields } from '../env.js';
import { settingsPage, staffPage } from '../pages/admin.js';
import { describeSync, type Scheduler } from '../schedule.js';
import { dropUploads } from './importing.js';

const settingsFrom = (form: FormFields): ImportSettings => {
  const on = (k: string): boolean => form[k] === 'yes';
  const rule = (k: string) => ({ import: on(`${k}.import`), prime: on(`${k}.prime`) });
  const candidate = {
    preAdmissions: on('preAdmissions'),
    groups: form.groups === 'active' ? 'active' : 'all',
    email: on('email'),
    mobile: on('mobile'),
    contacts: { priorityOne: rule('priorityOne'), otherPriorities: rule('otherPriorities'), parentalResponsibility: rule('parentalResponsibility') },
    notifyNewOrChangedDetails: on('notifyNewOrChangedDetails'),
    exceptions: (form.exceptions ?? '').split(/[\r\n,]+/).map((x) => x.trim()).filter((x) => x !== ''),
  };
  const decoded = ImportSettings.decode(candidate);
  if (E.isLeft(decoded)) throw new Refused('Those settings cannot be saved: check the form.');
  return decoded.right;
};

/** Registers the admin routes. */
export const registerAdmin = (app: Hono<AppEnv>, env: ConsoleEnv, scheduler: Scheduler): void => {
  const account = { deps: env.deps, views: env.views, schoolId: env.schoolId };
  const adminsOnly = (c: Parameters<typeof sessionOf>[0], permission: 'change-settings' | 'manage-staff') =>
    staffMay(sessionOf(c).user.role, permission) ? null : problemPage(c, env, 403, 'Not allowed', 'Only an admin can see and change this.');

  app.get('/settings', async (c) => {
    const refused = adminsOnly(c, 'change-settings');
    if (refused !== null) return refused;
    const school = await env.views.school();
    const last = scheduler.last();
    return renderPage(c, env, {
      title: 'Settings',
      active: 'settings',
      body: (ctx) => settingsPage(ctx, { settings: school.settings, schedule: school.sync ?? { exportPath: null, at: null }, nextRun: scheduler.nextRun(), lastSync: last === null ? null : describeSync(last) }),
    });
  });

  app.post('/settings/import', (c) =>
    act(c, env, 'change-settings', async (form, once) => {
      const r = await handledOr(env, await handleCommand(env.deps, schoolDecider, schoolStream(env.schoolId), { type: 'ChangeImportSettings', settings: settingsFrom(form) }, { schoolId: env.schoolId, actor: actorOf(c), reason: 'import settings saved', commandId: formCommandId(once) }));
      return { location: '/settings', message: r.appended.length === 0 ? 'Nothing was different: nothing was recorded.' : 'The import settings are saved: the next import uses them.' };
    }),
  );

  app.post('/settings/schedule', (c) =>
    act(c, env, 'change-settings', async (form, once) => {
      const schedule = { exportPath: (form.exportPath ?? '').trim() || null, at: (form.at ?? '').trim() || null };
      const r = await handledOr(env, await handleCommand(env.deps, schoolDecider, schoolStream(env.schoolId), { type: 'ChangeSyncSchedule', schedule }, { schoolId: env.schoolId, actor: actorOf(c), reason: 'sync schedule saved', commandId: formCommandId(once) }));
      await env.reschedule();
      return { location: '/settings', message: r.appended.length === 0 ? 'Nothing was different: nothing was recorded.' : schedule.at === null || schedule.exportPath === null ? 'The scheduled sync is off.' : `The sync runs every day at ${schedule.at}.` };
    }),
  );

  app.post('/settings/sync-now', (c) =>
    act(c, env, 'change-settings', async () => ({ location: '/settings', message: `Sync: ${await env.runSync()}` })),
  );

  app.get('/staff', async (c) => {
    const refused = adminsOnly(c, 'manage-staff');
    if (refused !== null) return refused;
    const accounts = await env.views.staff();
    return renderPage(c, env, { title: 'Staff', active: 'staff', body: (ctx) => staffPage(ctx, accounts) });
  });

  app.post('/staff', (c) =>
    act(c, env, 'manage-staff', async (form, once) => {
      const role = STAFF_ROLES.find((r) => r === form.role);
      if (role === undefined) throw new Refused('Choose a role.');
      const r = await addStaffAccount(account, { email: required(form, 'email', 'An email address'), name: required(form, 'name', 'A name'), role, password: form.password ?? '' }, actorOf(c), formCommandId(once));
      if (E.isLeft(r)) throw new Refused(`${r.left[0]!.toUpperCase()}${r.left.slice(1)}.`);
      return { location: '/staff', message: `${r.right.name} can now sign in as ${r.right.role}.` };
    }),
  );

  app.post('/staff/:id/role', (c) =>
    act(c, env, 'manage-staff', async (form, once) => {
      const role = STAFF_ROLES.find((r) => r === form.role) as StaffRole | undefined;
      if (role === undefined) throw new Refused('Choose a role.');
      const id = c.req.param('id');
      const r = await changeStaffRole(account, id, role, actorOf(c), formCommandId(once));
      if (E.isLeft(r)) throw new Refused(`${r.left[0]!.toUpperCase()}${r.left.slice(1)}.`);
      const a = await env.views.staffAccount(id);
      if (a !== null) env.sessions.update(a.staffId, { staffId: a.staffId, name: a.name, role: a.role });
      return { location: '/staff', message: r.right ? `The role is now ${role}.` : 'Nothing was different: nothing was recorded.' };
    }),
  );

  app.post('/staff/:id/remove', (c) =>
    act(c, env, 'manage-staff', async (form, once) => {
      if (form.confirmed !== 'yes') throw new Refused('Tick the box to remove them.');
      const r = await removeStaffAccount(account, c.req.param('id'), actorOf(c), formCommandId(once));
      if (E.isLeft(r)) throw new Refused(`${r.left[0]!.toUpperCase()}${r.left.slice(1)}.`);
      env.sessions.update(r.right.staffId, null, (s) => void dropUploads(s));
      return { location: '/staff', message: `${r.right.name} can no longer sign in; their details are erased.` };
    }),
  );
};
