/**
 * A staff account's stream: added, role changed, password set, removed. Which role may do what is
 * decided here too, so the console and the CLI hold no access rule of their own.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../decider.js';
import { isValidEmail } from '../details.js';
import { domainError, type DomainError } from '../errors.js';
import type { Recorded } from '../events/catalogue.js';
import type { StaffEvent, StaffRole } from '../events/staff.js';

/** A staff account that exists or existed. */
export interface StaffRecord {
  readonly status: 'active' | 'removed';
  readonly staffId: string;
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly passwordHash: string;
}

/** A staff account's state: absent until added. */
export type StaffState = { readonly status: 'absent' } | StaffRecord;

/** The staff commands. */
export type StaffCommand =
  | { readonly type: 'AddStaff'; readonly staffId: string; readonly email: string; readonly name: string; readonly role: StaffRole; readonly passwordHash: string }
  | { readonly type: 'ChangeStaffRole'; readonly staffId: string; readonly role: StaffRole }
  | { readonly type: 'ChangeStaffPassword'; readonly staffId: string; readonly passwordHash: string }
  | { readonly type: 'RemoveStaff'; readonly staffId: string };

/** What a signed-in person may do. */
export type StaffPermission = 'read' | 'act-on-contacts' | 'change-settings' | 'manage-staff';

const PERMISSIONS: Readonly<Record<StaffRole, ReadonlyArray<StaffPermission>>> = {
  compliance: ['read'],
  office: ['read', 'act-on-contacts'],
  admin: ['read', 'act-on-contacts', 'change-settings', 'manage-staff'],
};

/** True when the role allows it: compliance reads only; office staff cannot change settings or staff; admins can. */
export const staffMay = (role: StaffRole, permission: StaffPermission): boolean => PERMISSIONS[role].includes(permission);

/** An email address as accounts are keyed by it: trimmed, lower case. */
export const staffEmailKey = (email: string): string => email.trim().toLowerCase();

/** True when a change would leave the school with no admin (accounts: the active ones). */
export const leavesNoAdmin = (
  accounts: ReadonlyArray<{ readonly staffId: string; readonly role: StaffRole }>,
  change: { readonly staffId: string; readonly role: StaffRole | null },
): boolean => {
  const before = accounts.filter((a) => a.role === 'admin').length;
  const after = accounts.filter((a) => (a.staffId === change.staffId ? change.role : a.role) === 'admin').length;
  return before > 0 && after === 0;
};

/** Folds one event into a staff account's state. */
export const evolveStaff = (state: StaffState, event: Recorded<StaffEvent>): StaffState => {
  if (event.type === 'StaffAdded') {
    const d = event.data;
    return { status: 'active', staffId: d.staffId, email: d.email, name: d.name, role: d.role, passwordHash: d.passwordHash };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'StaffRoleChanged':
      return { ...state, role: event.data.role };
    case 'StaffPasswordChanged':
      return { ...state, passwordHash: event.data.passwordHash };
    case 'StaffRemoved':
      return { ...state, status: 'removed' };
  }
};

const active = (state: StaffState, id: string): E.Either<DomainError, StaffRecord> =>
  state.status === 'active' ? E.right(state) : E.left(domainError('not-found', `Staff account ${id} does not exist or was removed.`));

/** Decides what a staff command records. */
export const decideStaff = (cmd: StaffCommand, state: StaffState): E.Either<DomainError, ReadonlyArray<StaffEvent>> => {
  switch (cmd.type) {
    case 'AddStaff': {
      if (state.status !== 'absent') return E.left(domainError('already-exists', `Staff account ${cmd.staffId} already exists.`));
      const email = staffEmailKey(cmd.email);
      if (!isValidEmail(email)) return E.left(domainError('invalid-detail', 'A staff account needs a well-formed email address to sign in with.'));
      if (cmd.name.trim() === '') return E.left(domainError('invalid-command', 'A staff account needs the person\'s name: it is recorded on what they do.'));
      if (cmd.passwordHash === '') return E.left(domainError('invalid-command', 'A staff account needs a password.'));
      return E.right([{ type: 'StaffAdded', data: { staffId: cmd.staffId, email, name: cmd.name.trim(), role: cmd.role, passwordHash: cmd.passwordHash } }]);
    }
    case 'ChangeStaffRole':
      return E.map((s: StaffRecord): ReadonlyArray<StaffEvent> => (s.role === cmd.role ? [] : [{ type: 'StaffRoleChanged', data: { staffId: s.staffId, role: cmd.role } }]))(active(state, cmd.staffId));
    case 'ChangeStaffPassword':
      return E.chain((s: StaffRecord): E.Either<DomainError, ReadonlyArray<StaffEvent>> =>
        cmd.passwordHash === ''
          ? E.left(domainError('invalid-command', 'A staff account needs a password.'))
          : E.right(s.passwordHash === cmd.passwordHash ? [] : [{ type: 'StaffPasswordChanged', data: { staffId: s.staffId, passwordHash: cmd.passwordHash } }]),
      )(active(state, cmd.staffId));
    case 'RemoveStaff':
      if (state.status === 'removed') return E.right([]);
      return E.map((s: StaffRecord): ReadonlyArray<StaffEvent> => [{ type: 'StaffRemoved', data: { staffId: s.staffId } }])(active(state, cmd.staffId));
  }
};

/** The staff decider. */
export const staffDecider: Decider<StaffCommand, StaffEvent, StaffState> = {
  decide: decideStaff,
  evolve: evolveStaff,
  initialState: { status: 'absent' },
};
