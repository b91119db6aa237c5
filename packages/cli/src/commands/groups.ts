/** `groups`, `group NAME|ID`, `group create|edit|delete`: groups by name (R-GRP-2, R-GRP-3). */
import { groupDecider, groupStream, handleCommand, type GroupMemberRef } from '@contactable/core';
import { contactLabel, memberLabel, personName, type GroupSummary, type Views } from '@contactable/projections';
import { uuidV7Ids } from '@contactable/adapters-store';
import { str, strs, type Command } from '../command.js';
import { handled, person, resolveContact, type CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { table } from '../output.js';

const USAGE =
  'contactable group NAME|ID\n' +
  '       contactable group create NAME [--kind governors|staff|club|own] [--add WHO ...] --by NAME\n' +
  '       contactable group edit NAME|ID [--name NEW] [--add WHO ...] [--remove WHO ...] --by NAME\n' +
  '       contactable group delete NAME|ID --by NAME\n' +
  '  WHO: a member (MIS reference, id or name) or a linked person (email address, mobile number, id or name)';

const KINDS = ['own', 'governors', 'staff', 'club'];

/** A group's kind in words. */
export const groupKindWords = (g: Pick<GroupSummary, 'kind' | 'source'>): string =>
  g.source === 'mis' ? g.kind.replace(/[-_]/g, ' ') : g.kind === 'own' ? 'made by the school' : `${g.kind} (made by the school)`;

/** One group by name or id, or an error listing what it could be. */
export const resolveGroup = async (views: Views, ref: string): Promise<GroupSummary> => {
  const found = await views.findGroups(ref);
  if (found.length === 0) throw new CliError(`No group is called "${ref}". List them with: contactable groups`);
  if (found.length > 1) throw new CliError(`${found.length} groups are called "${ref}"; use the group's id (see: contactable groups --json).`);
  return found[0]!.value;
};

/** Someone to put in or take out of a group: a member first, else a linked person. */
const whoOf = async (views: Views, text: string): Promise<{ ref: GroupMemberRef; label: string }> => {
  const members = (await views.findMembers(text));
  if (members.length === 1) return { ref: { kind: 'member', id: members[0]!.value.memberId }, label: memberLabel(members[0]!.value) };
  if (members.length > 1) throw new CliError(`"${text}" could be any of these members; use their MIS reference:\n${members.slice(0, 10).map((m) => `  ${memberLabel(m.value)}`).join('\n')}`);
  const contactId = await resolveContact(views, text);
  const c = (await views.contact(contactId))!;
  return { ref: { kind: 'contact', id: contactId }, label: contactLabel(c) };
};

/** `groups` */
export const groupsCommand: Command = {
  name: 'groups',
  summary: 'The groups, by name: from the MIS and made by the school',
  usage: 'contactable groups',
  options: {},
  needsStore: true,
  run: async (ctx) => {
    const list = await (await ctx.views()).groups();
    ctx.out.result({ groups: list.map((g) => ({ groupId: g.groupId, name: g.name, kind: g.kind, source: g.source, active: g.active, size: g.size })) }, () => {
      ctx.out.line(table(['group', 'kind', 'people', 'from'], list.map((g) => [g.name, groupKindWords(g), g.size, g.source === 'mis' ? `the MIS${g.active ? '' : ' (inactive)'}` : 'the school'])));
      ctx.out.line(`\n${list.length} group(s)`);
    });
  },
};

const showGroup = async (ctx: CliContext, ref: string): Promise<void> => {
  const views = await ctx.views();
  const g = (await views.group((await resolveGroup(views, ref)).groupId))!;
  const json = {
    groupId: g.groupId,
    name: g.name,
    kind: g.kind,
    source: g.source,
    active: g.active,
    people: g.people.map((p) => ({
      kind: p.kind,
      id: p.id,
      ...(p.kind === 'member' ? { memberId: p.id, memberName: p.name === null ? null : personName(p.name), misReference: p.misReference } : { contactId: p.id, contactName: p.name === null ? null : personName(p.name) }),
    })),
  };
  ctx.out.result(json, () => {
    ctx.out.line(`${g.name}: ${groupKindWords(g)}${g.source === 'mis' ? ', from the MIS (change it there)' : ''}`);
    ctx.out.line();
    ctx.out.line(table(['name', 'who'], g.people.map((p) => [p.name === null ? 'someone no longer held' : p.kind === 'member' ? memberLabel({ name: p.name, misReference: p.misReference }) : personName(p.name), p.kind === 'member' ? 'member (messages go to their prime parents)' : 'linked person'])));
    ctx.out.line(`\n${g.people.length} in the group`);
  });
};

/** `group NAME|ID` and `group create|edit|delete ...` */
export const groupCommand: Command = {
  name: 'group',
  summary: 'One group and its people; create, edit (rename, add, remove people) or delete a group made by the school',
  usage: USAGE,
  options: { kind: { type: 'string' }, name: { type: 'string' }, add: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true }, by: { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const [first, second] = args.positionals;
    if (first === undefined) throw usageError('name the group, or say create, edit or delete', USAGE);
    if (!['create', 'edit', 'delete'].includes(first)) return showGroup(ctx, args.positionals.join(' '));
    if (second === undefined) throw usageError(`name the group to ${first}`, USAGE);
    const ref = args.positionals.slice(1).join(' ');
    const views = await ctx.views();
    const deps = await ctx.deps();
    const actor = person(str(args, 'by'), first === 'create' ? 'Making a group' : first === 'edit' ? 'Changing a group' : 'Deleting a group');
    const run = async (groupId: string, command: Parameters<typeof groupDecider.decide>[0], reason: string) =>
      handled(await handleCommand(deps, groupDecider, groupStream(groupId), command, { schoolId: ctx.schoolId, actor, reason }));
    const adds = await Promise.all(strs(args, 'add').map((w) => whoOf(views, w)));
    switch (first) {
      case 'create': {
        const kind = str(args, 'kind') ?? 'own';
        if (!KINDS.includes(kind)) throw usageError(`--kind must be one of ${KINDS.join(', ')}`, USAGE);
        if ((await views.findGroups(ref)).length > 0) throw new CliError(`A group is already called "${ref}": choose another name.`);
        const groupId = uuidV7Ids.next();
        await run(groupId, { type: 'CreateGroup', groupId, name: ref, groupKind: kind }, 'group made');
        if (adds.length > 0) await run(groupId, { type: 'AddToGroup', groupId, members: adds.map((a) => a.ref) }, 'people added');
        ctx.out.result({ groupId, name: ref, kind, added: adds.length }, () => ctx.out.line(`Made the group ${ref}${adds.length > 0 ? ` with ${adds.map((a) => a.label).join('; ')}` : ''}.`));
        return;
      }
      case 'edit': {
        const g = await resolveGroup(views, ref);
        if (g.source === 'mis') throw new CliError(`${g.name} comes from the MIS: change it there and run the import.`);
        const removes = await Promise.all(strs(args, 'remove').map((w) => whoOf(views, w)));
        const rename = str(args, 'name');
        if (rename === undefined && adds.length === 0 && removes.length === 0) throw usageError('say what to change: --name, --add or --remove', USAGE);
        if (rename !== undefined && (await views.findGroups(rename)).some((f) => f.value.groupId !== g.groupId)) throw new CliError(`A group is already called "${rename}".`);
        let events = 0;
        if (rename !== undefined) events += (await run(g.groupId, { type: 'RenameGroup', groupId: g.groupId, name: rename }, 'group renamed')).appended.length;
        if (adds.length > 0) events += (await run(g.groupId, { type: 'AddToGroup', groupId: g.groupId, members: adds.map((a) => a.ref) }, 'people added')).appended.length;
        if (removes.length > 0) events += (await run(g.groupId, { type: 'RemoveFromGroup', groupId: g.groupId, members: removes.map((a) => a.ref) }, 'people removed')).appended.length;
        ctx.out.result({ groupId: g.groupId, name: rename ?? g.name, changed: events > 0, added: adds.length, removed: removes.length }, () =>
          ctx.out.line(events === 0 ? 'Nothing was different: nothing was recorded.' : `${rename ?? g.name}: ${[rename !== undefined ? `renamed from ${g.name}` : '', adds.length > 0 ? `added ${adds.map((a) => a.label).join('; ')}` : '', removes.length > 0 ? `removed ${removes.map((a) => a.label).join('; ')}` : ''].filter(Boolean).join('; ')}.`),
        );
        return;
      }
      case 'delete': {
        const g = await resolveGroup(views, ref);
        if (g.source === 'mis') throw new CliError(`${g.name} comes from the MIS: remove it there and run the import.`);
        await run(g.groupId, { type: 'DeleteGroup', groupId: g.groupId }, 'group deleted');
        ctx.out.result({ groupId: g.groupId, name: g.name, deleted: true }, () => ctx.out.line(`Deleted the group ${g.name}; the people in it are kept.`));
        return;
      }
    }
  },
};
