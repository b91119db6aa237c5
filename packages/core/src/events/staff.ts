/**
 * Events of a staff account's stream (`staff-<id>`): who may sign in to the console, with which role.
 * The email, name and password hash are personal data, sealed under the account's own key, so removing
 * someone (and forgetting that key) leaves no readable password hash in the log.
 */
import * as t from 'io-ts';
import { Personal } from '../personal.js';
import { defineEvent, type EventOf } from './define.js';

/** What a member of staff may do: office staff act on contacts; compliance reads only; admins also change settings and staff. */
export const StaffRole = t.keyof({ office: null, compliance: null, admin: null });
/** A member of staff's role. */
export type StaffRole = t.TypeOf<typeof StaffRole>;

const staffId = { staffId: t.string };

/** A member of staff was given an account (the hash is of their password, never the password). */
export const StaffAdded = defineEvent('StaffAdded', t.type({ ...staffId, email: Personal, name: Personal, role: StaffRole, passwordHash: Personal }));
/** A member of staff's role changed. */
export const StaffRoleChanged = defineEvent('StaffRoleChanged', t.type({ ...staffId, role: StaffRole }));
/** A member of staff's password was set anew. */
export const StaffPasswordChanged = defineEvent('StaffPasswordChanged', t.type({ ...staffId, passwordHash: Personal }));
/** A member of staff's account was removed; their key is forgotten next, so their details read XXXX. */
export const StaffRemoved = defineEvent('StaffRemoved', t.type(staffId));

/** Every staff event definition. */
export const staffEvents = [StaffAdded, StaffRoleChanged, StaffPasswordChanged, StaffRemoved] as const;
/** An event of a staff account's stream. */
export type StaffEvent = EventOf<(typeof staffEvents)[number]>;
