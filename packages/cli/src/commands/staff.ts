/** `staff add|list|remove|role|password`: who may sign in to the console (every change an event with who made it; a removed person's details are erased). */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import * as E from 'fp-ts/lib/Either.js';
import type { StaffRole } from '@contactable/core';
import { formatInstant } from '@contactable/projections';
import { flag, str, type Args, type Command } from '../command.js';
import { byOrCli, type CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { table } from '../output.js';

const ROLES: ReadonlyArray<StaffRole> = ['office', 'compliance', 'admin'];
const USAGE =
  'contactable staff add EMAIL --name NAME --role office|compliance|admin [--password-stdin] [--by NAME]\n' +
  '       contactable staff list\n' +
  '       contactable staff remove EMAIL [--by NAME]\n' +
  '       contactable staff role EMAIL --role office|compliance|admin [--by NAME]\n' +
  '       contactable staff password EMAIL [--password-stdin] [--by NAME]\n' +
  '  office: reads and acts on contacts; compliance: reads only; admin: also settings and staff.\n' +
  '  Without --password-stdin the password is asked for on the terminal (not shown).';

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
};

const ask = (prompt: string): Promise<string> =>
  new Promise((resolve) => {
    // Typed characters are not echoed: the output side of the prompt goes nowhere.
    const rl = createInterface({ input: process.stdin, output: new Writable({ write: (_c, _e, cb) => cb() }), terminal: true });
    process.stderr.write(prompt);
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });

const passwordFrom = async (args: Args, usage: string): Promise<string> => {
  if (flag(args, 'password-stdin')) return readStdin();
  if (process.stdin.isTTY !== true) throw usageError('give the password on standard input with --password-stdin (it is never taken as an argument, which shells keep)', usage);
  const first = await ask('Password (at least 10 characters): ');
  if ((await ask('The same password again: ')) !== first) throw new CliError('the two passwords differ; nothing was changed.');
  return first;
};

const roleOf = (args: Args): StaffRole => {
  const role = str(args, 'role');
  if (role === undefined || !(ROLES as ReadonlyArray<string>).includes(role)) throw usageError('--role must be office, compliance or admin', USAGE);
  return role as StaffRole;
};

const accountDeps = async (ctx: CliContext) => ({ deps: await ctx.deps(), views: await ctx.views(), schoolId: ctx.schoolId });

const sentence = (s: string): string => `${s[0]!.toUpperCase()}${s.slice(1)}.`;

/** `staff ...` */
export const staff: Command = {
  name: 'staff',
  summary: 'Staff who may sign in to the console: add, list, remove, change a role or a password',
  usage: USAGE,
  options: { name: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, by: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const [sub, email] = args.positionals;
    const accounts = await import('@contactable/console/accounts');
    const actor = byOrCli(str(args, 'by'));
    switch (sub) {
      case 'list': {
        const list = await (await ctx.views()).staff();
        ctx.out.result({ staff: list.map((a) => ({ staffId: a.staffId, email: a.email, name: a.name, role: a.role, addedAt: a.addedAt })) }, () => {
          ctx.out.line(table(['name', 'email', 'role', 'added'], list.map((a) => [a.name, a.email, a.role, formatInstant(a.addedAt)])));
          ctx.out.line(`\n${list.length} staff account(s)`);
        });
        return;
      }
      case 'add': {
        if (email === undefined) throw usageError('name the email address they sign in with', USAGE);
        const name = str(args, 'name');
        if (name === undefined || name.trim() === '') throw usageError('--name is needed: it is recorded on what they do', USAGE);
        const role = roleOf(args);
        const password = await passwordFrom(args, USAGE);
        const r = await accounts.addStaffAccount(await accountDeps(ctx), { email, name, role, password }, actor);
        if (E.isLeft(r)) throw new CliError(`${sentence(r.left)} Nothing was added.`);
        ctx.out.result({ staffId: r.right.staffId, email: r.right.email, name: r.right.name, role: r.right.role }, () => ctx.out.line(`${r.right.name} can sign in to the console as ${r.right.email} (${r.right.role}).`));
        return;
      }
      case 'remove': {
        if (email === undefined) throw usageError('name the email address of the account to remove', USAGE);
        const r = await accounts.removeStaffAccount(await accountDeps(ctx), email, actor);
        if (E.isLeft(r)) throw new CliError(`${sentence(r.left)} Nothing was removed.`);
        ctx.out.result({ staffId: r.right.staffId, removed: true }, () => ctx.out.line(`${r.right.name} can no longer sign in; their email, name and password hash are erased from the log.`));
        return;
      }
      case 'role': {
        if (email === undefined) throw usageError('name the email address of the account', USAGE);
        const role = roleOf(args);
        const r = await accounts.changeStaffRole(await accountDeps(ctx), email, role, actor);
        if (E.isLeft(r)) throw new CliError(`${sentence(r.left)} Nothing was changed.`);
        ctx.out.result({ email, role, changed: r.right }, () => ctx.out.line(r.right ? `The role is now ${role} (signed-in sessions take it on their next page).` : `The role was already ${role}.`));
        return;
      }
      case 'password': {
        if (email === undefined) throw usageError('name the email address of the account', USAGE);
        const password = await passwordFrom(args, USAGE);
        const r = await accounts.setStaffPassword(await accountDeps(ctx), email, password, actor);
        if (E.isLeft(r)) throw new CliError(`${sentence(r.left)} Nothing was changed.`);
        ctx.out.result({ staffId: r.right.staffId, changed: true }, () => ctx.out.line(`${r.right.name}'s password is set.`));
        return;
      }
      default:
        throw usageError('say what to do: add, list, remove, role or password', USAGE);
    }
  },
};
