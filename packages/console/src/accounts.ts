/**
 * Staff accounts: add, change role, set a password, remove, and check a sign-in. Every change is
 * an event on the account's own stream with who did it; removal then forgets the account's key,
 * so its email, name and password hash read XXXX in the log. The list comes from the Views port;
 * a password is checked against the account's own stream, so no read model holds a hash.
 * Used by the console and by `contactable staff` (this module loads no HTTP framework).
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  handleCommand,
  leavesNoAdmin,
  loadStream,
  staffDecider,
  staffEmailKey,
  staffStream,
  type Actor,
  type HandlerDeps,
  type StaffRole,
} from '@contactable/core';
import type { StaffAccount, Views } from '@contactable/projections';
import { hashPassword, passwordProblem, verifyNothing, verifyPassword } from './password.js';

export { hashPassword, verifyPassword, passwordProblem, MIN_PASSWORD_LENGTH } from './password.js';

/** The roles, in the order a form lists them. */
export const STAFF_ROLES: ReadonlyArray<StaffRole> = ['office', 'compliance', 'admin'];

/** What account changes need. */
export interface AccountDeps {
  readonly deps: HandlerDeps;
  readonly views: Views;
  readonly schoolId: string;
}

const context = (d: AccountDeps, actor: Actor, reason: string, commandId?: string) => ({ schoolId: d.schoolId, actor, reason, ...(commandId !== undefined ? { commandId } : {}) });

const find = async (d: AccountDeps, idOrEmail: string): Promise<E.Either<string, StaffAccount>> => {
  const a = await d.views.staffAccount(idOrEmail);
  return a === null ? E.left('no staff account has that email address') : E.right(a);
};

/** Adds an account; refused when the email already has one or the password is too short. */
export const addStaffAccount = async (
  d: AccountDeps,
  input: { readonly email: string; readonly name: string; readonly role: StaffRole; readonly password: string },
  actor: Actor,
  commandId?: string,
): Promise<E.Either<string, StaffAccount>> => {
  const problem = passwordProblem(input.password);
  if (problem !== null) return E.left(problem);
  if ((await d.views.staffAccount(staffEmailKey(input.email))) !== null) return E.left('that email address already has a staff account');
  const staffId = commandId ?? d.deps.ids.next();
  const r = await handleCommand(d.deps, staffDecider, staffStream(staffId), { type: 'AddStaff', staffId, email: input.email, name: input.name, role: input.role, passwordHash: await hashPassword(input.password) }, context(d, actor, 'staff account added', commandId));
  if (E.isLeft(r)) return E.left(r.left.message);
  const added = r.right.state;
  if (added.status !== 'active') return E.left('the account was not added');
  return E.right({ staffId, email: added.email, name: added.name, role: added.role, addedAt: r.right.appended[0]?.metadata.occurredAt ?? d.deps.clock.now() });
};

/** Changes an account's role; refused when it would leave the school with no admin. */
export const changeStaffRole = async (d: AccountDeps, idOrEmail: string, role: StaffRole, actor: Actor, commandId?: string): Promise<E.Either<string, boolean>> => {
  const found = await find(d, idOrEmail);
  if (E.isLeft(found)) return found;
  if (leavesNoAdmin(await d.views.staff(), { staffId: found.right.staffId, role })) return E.left('the school would have no admin left: make someone else an admin first');
  const r = await handleCommand(d.deps, staffDecider, staffStream(found.right.staffId), { type: 'ChangeStaffRole', staffId: found.right.staffId, role }, context(d, actor, 'role changed', commandId));
  return E.isLeft(r) ? E.left(r.left.message) : E.right(r.right.appended.length > 0);
};

/** Sets an account's password anew. */
export const setStaffPassword = async (d: AccountDeps, idOrEmail: string, password: string, actor: Actor): Promise<E.Either<string, StaffAccount>> => {
  const problem = passwordProblem(password);
  if (problem !== null) return E.left(problem);
  const found = await find(d, idOrEmail);
  if (E.isLeft(found)) return found;
  const r = await handleCommand(d.deps, staffDecider, staffStream(found.right.staffId), { type: 'ChangeStaffPassword', staffId: found.right.staffId, passwordHash: await hashPassword(password) }, context(d, actor, 'password set'));
  return E.isLeft(r) ? E.left(r.left.message) : E.right(found.right);
};

/**
 * Removes an account, then forgets its key: the account's email, name and password hash read XXXX
 * from then on. Refused when it would leave the school with no admin. Run again after a failure
 * between the two steps, it forgets the key (an account already removed records nothing more).
 */
export const removeStaffAccount = async (d: AccountDeps, idOrEmail: string, actor: Actor, commandId?: string): Promise<E.Either<string, StaffAccount>> => {
  const found = await find(d, idOrEmail);
  if (E.isLeft(found)) return found;
  const a = found.right;
  if (leavesNoAdmin(await d.views.staff(), { staffId: a.staffId, role: null })) return E.left('the school would have no admin left: make someone else an admin first');
  const r = await handleCommand(d.deps, staffDecider, staffStream(a.staffId), { type: 'RemoveStaff', staffId: a.staffId }, context(d, actor, 'staff account removed', commandId));
  if (E.isLeft(r)) return E.left(r.left.message);
  await d.deps.store.forget(staffStream(a.staffId));
  return E.right(a);
};

/** The account a sign-in is for, when the password matches; null otherwise (an unknown email takes as long as a wrong password). */
export const checkSignIn = async (d: AccountDeps, email: string, password: string): Promise<StaffAccount | null> => {
  const a = await d.views.staffAccount(staffEmailKey(email));
  if (a === null) return verifyNothing(password).then(() => null);
  const loaded = await loadStream(d.deps.store, staffDecider, staffStream(a.staffId));
  if (E.isLeft(loaded) || loaded.right.state.status !== 'active') return verifyNothing(password).then(() => null);
  return (await verifyPassword(password, loaded.right.state.passwordHash)) ? a : null;
};
