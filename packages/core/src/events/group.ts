/** Events of a group's stream (`group-<id>`). */
import * as t from 'io-ts';
import { GroupMemberRef, Source } from './common.js';
import { defineEvent, type EventOf } from './define.js';

const groupId = { groupId: t.string };

/** A group was created by hand or came from the MIS (R-GRP-2, R-GRP-3). */
export const GroupCreated = defineEvent(
  'GroupCreated',
  t.type({ ...groupId, name: t.string, source: Source, groupKind: t.string, active: t.boolean }),
);
/** A group's name or active flag changed. */
export const GroupChanged = defineEvent(
  'GroupChanged',
  t.intersection([t.type(groupId), t.partial({ name: t.string, active: t.boolean })]),
);
/** People joined or left a group. */
export const GroupMembersChanged = defineEvent(
  'GroupMembersChanged',
  t.type({ ...groupId, added: t.array(GroupMemberRef), removed: t.array(GroupMemberRef) }),
);
/** A group was deleted. */
export const GroupDeleted = defineEvent('GroupDeleted', t.type(groupId));

/** Every group event definition. */
export const groupEvents = [GroupCreated, GroupChanged, GroupMembersChanged, GroupDeleted] as const;

/** An event of a group's stream. */
export type GroupEvent = EventOf<(typeof groupEvents)[number]>;
