/** The office's actions on linked people, members, groups and saved filters: each through the core's deciders, with the signed-in person as the actor. */
import type { Hono } from 'hono';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import {
  CHANNELS,
  DataIssueFilter,
  contactDecider,
  contactStream,
  emailDetail,
  groupDecider,
  groupStream,
  handleCommand,
  memberDecider,
  memberStream,
  mobileDetail,
  schoolDecider,
  schoolStream,
  type Channel,
  type ContactCommand,
  type Detail,
  type GroupMemberRef,
  type MemberKind,
} from '@contactable/core';
import { providerFromUrl, send, storeDirectory } from '@contactable/adapters-messaging';
import { channelWords, contactLabel, memberLabel, officeText, personName } from '@contactable/projections';
import { act, actorOf, formCommandId, handledOr, Refused, required, safeBack, sessionOf, type AppEnv, type ConsoleEnv, type FormFields } from '../env.js';
import { memberHref } from '../html.js';
import { OWN_GROUP_KINDS } from '../pages/groups.js';
import { groupByRef, resolveContactText, resolveMemberText } from './resolve.js';

const KINDS: ReadonlyArray<MemberKind> = ['external', 'staff', 'student'];

/** A detail typed into a form: null when left empty (the detail is removed). */
const detailFrom = (text: string | undefined, channel: Channel): Detail | null => {
  const t = (text ?? '').trim();
  if (t === '') return null;
  const d = channel === 'email' ? emailDetail(t, 'Home') : mobileDetail(t, 'Mobile');
  if (!d.valid) throw new Refused(channel === 'email' ? 'That email address is not well formed.' : 'That mobile number is not well formed.');
  return d;
};

/** A priority as links hold it (a whole number, checked where it is typed). */
const asPriority = (n: number): t.Int => n as t.Int;

const sameDetailValue = (a: Detail | null, b: Detail | null): boolean => (a?.value ?? null) === (b?.value ?? null);

/** Registers the action routes. */
export const registerActions = (app: Hono<AppEnv>, env: ConsoleEnv): void => {
  const v = env.views;
  // `reasonCode`: the non-personal code kept in the clear (the typed reason is sealed and erased with the person).
  const ctxOf = (c: Parameters<typeof actorOf>[0], form: FormFields, once: string, step = 0, reason?: string, reasonCode?: string) => ({
    schoolId: env.schoolId,
    actor: actorOf(c),
    reason: reason ?? ((form.reason ?? '').trim() === '' ? null : form.reason!.trim()),
    ...(reasonCode === undefined ? {} : { reasonCode }),
    commandId: formCommandId(once, step),
  });
  const contactOr404 = async (id: string) => {
    const contact = await v.contact(id);
    if (contact === null) throw new Refused('The school holds nobody with that link any more.');
    return contact;
  };
  const onContact = async (c: Parameters<typeof actorOf>[0], form: FormFields, once: string, id: string, command: ContactCommand, done: (changed: boolean) => string, reasonCode?: string) => {
    const r = await handledOr(env, await handleCommand(env.deps, contactDecider, contactStream(id), command, ctxOf(c, form, once, 0, undefined, reasonCode)));
    return { location: safeBack(form._back, '/'), message: done(r.appended.length > 0) };
  };

  // ---- linked people ------------------------------------------------------------------------------

  app.post('/contacts/:id/opt-out', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const contact = await contactOr404(c.req.param('id'));
      return onContact(c, form, once, contact.contactId, { type: 'OptOut', contactId: contact.contactId, via: 'staff' }, (changed) => (changed ? `${personName(contact.name)} is opted out: no more messages.` : `${personName(contact.name)} was already opted out.`), 'staff-opt-out');
    }),
  );

  app.post('/contacts/:id/opt-in', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const contact = await contactOr404(c.req.param('id'));
      return onContact(c, form, once, contact.contactId, { type: 'OptIn', contactId: contact.contactId, via: 'staff' }, (changed) => (changed ? `${personName(contact.name)} is opted back in.` : `${personName(contact.name)} was not opted out.`), 'staff-opt-in');
    }),
  );

  app.post('/contacts/:id/re-enable', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const contact = await contactOr404(c.req.param('id'));
      const channel = CHANNELS.find((ch) => ch === form.channel);
      if (channel === undefined) throw new Refused('Choose email or texts to re-enable.');
      if (form.confirmed !== 'yes') throw new Refused(`Tick the box to say you confirmed with ${personName(contact.name)} that they want ${channel === 'email' ? 'emails at this address' : 'texts on this number'}.`);
      return onContact(c, form, once, contact.contactId, { type: 'ReEnable', contactId: contact.contactId, channel, confirmedWithContact: true }, () => `${channelWords(channel) === 'email' ? 'Emails' : 'Texts'} to ${personName(contact.name)} are re-enabled.`, 'confirmed-with-contact');
    }),
  );

  app.post('/contacts/:id/override', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const contact = await contactOr404(c.req.param('id'));
      if (contact.source !== 'mis') throw new Refused(`${personName(contact.name)} was added by hand: edit their details instead.`);
      const email = detailFrom(form.email, 'email');
      const mobile = detailFrom(form.mobile, 'sms');
      const command: ContactCommand = {
        type: 'EditContact',
        contactId: contact.contactId,
        ...(sameDetailValue(contact.email, email) ? {} : { email }),
        ...(sameDetailValue(contact.mobile, mobile) ? {} : { mobile }),
      };
      return onContact(c, form, once, contact.contactId, command, (changed) => (changed ? `The change to ${personName(contact.name)}'s details lasts until the next MIS sync: make it in the MIS too.` : 'Nothing was different: nothing was recorded.'));
    }),
  );

  app.post('/contacts/:id/edit', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const contact = await contactOr404(c.req.param('id'));
      if (contact.source === 'mis') throw new Refused(`${personName(contact.name)} comes from the MIS: change them there (or make a temporary change).`);
      const name = { given: required(form, 'given', 'A given name'), family: required(form, 'family', 'A family name') };
      const email = detailFrom(form.email, 'email');
      const mobile = detailFrom(form.mobile, 'sms');
      return onContact(c, form, once, contact.contactId, { type: 'EditContact', contactId: contact.contactId, name, email, mobile }, (changed) => (changed ? `${personName(name)}'s details are saved.` : 'Nothing was different: nothing was recorded.'));
    }),
  );

  app.post('/contacts/:id/delete', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const contact = await contactOr404(c.req.param('id'));
      if (form.confirmed !== 'yes') throw new Refused(`Tick the box to delete ${personName(contact.name)}.`);
      const r = await onContact(c, form, once, contact.contactId, { type: 'DeleteContact', contactId: contact.contactId, cause: 'by-hand' }, () => `${personName(contact.name)} is deleted from the address book.`);
      const back = safeBack(form._back, '/members');
      return { ...r, location: back.startsWith('/contacts/') ? '/members' : back };
    }),
  );

  app.post('/contacts/:id/prime', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const contact = await contactOr404(c.req.param('id'));
      const memberId = required(form, 'member', 'The member');
      const view = await v.linkedPeople(memberId);
      const link = view?.linkedPeople.find((l) => l.contactId === contact.contactId);
      if (view === null || view === undefined || link === undefined) throw new Refused(`${personName(contact.name)} is not linked to that member.`);
      const prime = form.prime !== 'no';
      const r = await handledOr(
        env,
        await handleCommand(
          env.deps,
          memberDecider,
          memberStream(memberId),
          { type: 'LinkContact', memberId, contactId: contact.contactId, link: { relationship: link.relationship, priority: asPriority(link.priority), parentalResponsibility: link.parentalResponsibility, prime, source: link.linkSource } },
          ctxOf(c, form, once, 0, prime ? 'chosen as prime parent' : 'no longer a prime parent'),
        ),
      );
      return { location: safeBack(form._back, memberHref(view.member)), message: r.appended.length === 0 ? 'Nothing changed.' : `${personName(contact.name)} is ${prime ? 'now' : 'no longer'} a prime parent of ${memberLabel(view.member)}.` };
    }),
  );

  app.post('/contacts/:id/unlink', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const contact = await contactOr404(c.req.param('id'));
      const memberId = required(form, 'member', 'The member');
      if (form.confirmed !== 'yes') throw new Refused(`Tick the box to remove ${personName(contact.name)}.`);
      await handledOr(env, await handleCommand(env.deps, memberDecider, memberStream(memberId), { type: 'UnlinkContact', memberId, contactId: contact.contactId }, ctxOf(c, form, once)));
      return { location: safeBack(form._back, '/members'), message: `${personName(contact.name)} is no longer a linked person of this member.` };
    }),
  );

  // ---- members ------------------------------------------------------------------------------------

  app.post('/members', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const name = { given: required(form, 'given', 'A given name'), family: required(form, 'family', 'A family name') };
      const kind = KINDS.find((k) => k === form.kind) ?? 'external';
      const memberId = formCommandId(once, 99);
      await handledOr(env, await handleCommand(env.deps, memberDecider, memberStream(memberId), { type: 'AddMember', memberId, kind, name }, ctxOf(c, form, once, 0, 'added by hand')));
      return { location: memberHref({ memberId, misReference: null }), message: `${personName(name)} is added. Add their linked people below.` };
    }),
  );

  app.post('/members/:id/edit', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const memberId = c.req.param('id');
      const name = { given: required(form, 'given', 'A given name'), family: required(form, 'family', 'A family name') };
      const kind = KINDS.find((k) => k === form.kind);
      const r = await handledOr(env, await handleCommand(env.deps, memberDecider, memberStream(memberId), { type: 'EditMember', memberId, name, ...(kind !== undefined ? { kind } : {}) }, ctxOf(c, form, once)));
      return { location: safeBack(form._back, '/members'), message: r.appended.length === 0 ? 'Nothing was different: nothing was recorded.' : `${personName(name)} is saved.` };
    }),
  );

  app.post('/members/:id/contacts', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const memberId = c.req.param('id');
      const member = await v.member(memberId);
      if (member === null) throw new Refused('That member is not held any more.');
      const name = { given: required(form, 'given', 'A given name'), family: required(form, 'family', 'A family name') };
      const email = detailFrom(form.email, 'email');
      const mobile = detailFrom(form.mobile, 'sms');
      const priority = Number(form.priority ?? '1');
      if (!Number.isInteger(priority) || priority < 1 || priority > 99) throw new Refused('The priority is a whole number from 1.');
      const contactId = formCommandId(once, 98);
      await handledOr(env, await handleCommand(env.deps, contactDecider, contactStream(contactId), { type: 'AddContact', contactId, name, email, mobile }, ctxOf(c, form, once, 0, 'added by hand')));
      const link = { relationship: (form.relationship ?? '').trim() || 'Other contact', priority: asPriority(priority), parentalResponsibility: form.parentalResponsibility === 'yes', prime: form.prime === 'yes', source: 'address-book' as const };
      await handledOr(env, await handleCommand(env.deps, memberDecider, memberStream(memberId), { type: 'LinkContact', memberId, contactId, link }, ctxOf(c, form, once, 1, 'added by hand')));
      return { location: safeBack(form._back, memberHref(member)), message: `${personName(name)} is added as a linked person of ${memberLabel(member)}.` };
    }),
  );

  app.post('/members/:id/link', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const memberId = c.req.param('id');
      const view = await v.linkedPeople(memberId);
      if (view === null) throw new Refused('That member is not held any more.');
      const text = required(form, 'contact', 'Their email address, mobile number or name');
      const r = await resolveContactText(v, text);
      if (r.kind === 'none') throw new Refused(`Nobody the school holds has the email address, mobile number or name "${text}".`);
      if (r.kind === 'many') throw new Refused(`"${text}" could be any of: ${r.candidates.slice(0, 5).map(contactLabel).join('; ')}. Use their email address or mobile number.`);
      const contact = r.value;
      const link = { relationship: (form.relationship ?? '').trim() || 'Other contact', priority: asPriority(view.linkedPeople.length + 1), parentalResponsibility: false, prime: form.prime === 'yes', source: 'address-book' as const };
      await handledOr(env, await handleCommand(env.deps, memberDecider, memberStream(memberId), { type: 'LinkContact', memberId, contactId: contact.contactId, link }, ctxOf(c, form, once)));
      return { location: safeBack(form._back, memberHref(view.member)), message: `${personName(contact.name)} is now a linked person of ${memberLabel(view.member)}.` };
    }),
  );

  // ---- saved filters ------------------------------------------------------------------------------

  app.post('/data-issues/filters', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const name = required(form, 'name', 'A name for the filter');
      const raw: Record<string, string> = {};
      for (const k of ['type', 'memberId', 'contactId', 'from', 'to']) if ((form[k] ?? '') !== '') raw[k] = form[k]!;
      const filter = DataIssueFilter.decode(raw);
      if (E.isLeft(filter)) throw new Refused('That filter cannot be saved: filter the list again and save it from there.');
      await handledOr(env, await handleCommand(env.deps, schoolDecider, schoolStream(env.schoolId), { type: 'SaveDataIssueFilter', name, filter: filter.right }, ctxOf(c, form, once, 0, 'saved from the data-issues list')));
      return { location: `/data-issues?filter=${encodeURIComponent(name)}`, message: `The filter "${name}" is saved.` };
    }),
  );

  // ---- groups -------------------------------------------------------------------------------------

  const groupOr404 = async (ref: string) => {
    const g = await groupByRef(v, ref);
    if (g === null) throw new Refused('That group does not exist any more.');
    return g;
  };
  const ownGroup = async (ref: string) => {
    const g = await groupOr404(ref);
    if (g.source === 'mis') throw new Refused(`${g.name} comes from the MIS: change it there.`);
    return g;
  };
  const groupHref = (groupId: string) => `/groups/${encodeURIComponent(groupId)}`;

  app.post('/groups', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const name = required(form, 'name', 'A name');
      const kind = OWN_GROUP_KINDS.find(([k]) => k === form.kind)?.[0] ?? 'own';
      if ((await v.findGroups(name)).length > 0) throw new Refused(`A group is already called "${name}": choose another name.`);
      const groupId = formCommandId(once, 97);
      await handledOr(env, await handleCommand(env.deps, groupDecider, groupStream(groupId), { type: 'CreateGroup', groupId, name, groupKind: kind }, ctxOf(c, form, once)));
      return { location: groupHref(groupId), message: `The group ${name} is made. Add people to it below.` };
    }),
  );

  app.post('/groups/:id/rename', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const g = await ownGroup(c.req.param('id'));
      const name = required(form, 'name', 'A name');
      if ((await v.findGroups(name)).some((f) => f.value.groupId !== g.groupId)) throw new Refused(`A group is already called "${name}".`);
      await handledOr(env, await handleCommand(env.deps, groupDecider, groupStream(g.groupId), { type: 'RenameGroup', groupId: g.groupId, name }, ctxOf(c, form, once)));
      return { location: groupHref(g.groupId), message: `The group is now called ${name}.` };
    }),
  );

  app.post('/groups/:id/add', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const g = await ownGroup(c.req.param('id'));
      const who = required(form, 'who', 'Who to add');
      const m = await resolveMemberText(v, who);
      let ref: GroupMemberRef;
      let label: string;
      if (m.kind === 'one') {
        ref = { kind: 'member', id: m.value.memberId };
        label = memberLabel(m.value);
      } else if (m.kind === 'many') throw new Refused(`"${who}" could be any of: ${m.candidates.slice(0, 5).map(memberLabel).join('; ')}. Use their MIS reference.`);
      else {
        const x = await resolveContactText(v, who);
        if (x.kind === 'none') throw new Refused(`Nobody the school holds has the name, MIS reference, email address or mobile number "${who}".`);
        if (x.kind === 'many') throw new Refused(`"${who}" could be any of: ${x.candidates.slice(0, 5).map(contactLabel).join('; ')}. Use their email address or mobile number.`);
        ref = { kind: 'contact', id: x.value.contactId };
        label = personName(x.value.name);
      }
      const r = await handledOr(env, await handleCommand(env.deps, groupDecider, groupStream(g.groupId), { type: 'AddToGroup', groupId: g.groupId, members: [ref] }, ctxOf(c, form, once)));
      return { location: groupHref(g.groupId), message: r.appended.length === 0 ? `${label} was already in ${g.name}.` : `${label} is added to ${g.name}.` };
    }),
  );

  app.post('/groups/:id/remove', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const g = await ownGroup(c.req.param('id'));
      const kind = form.kind === 'contact' ? 'contact' : 'member';
      const id = required(form, 'id', 'Who to remove');
      await handledOr(env, await handleCommand(env.deps, groupDecider, groupStream(g.groupId), { type: 'RemoveFromGroup', groupId: g.groupId, members: [{ kind, id }] }, ctxOf(c, form, once)));
      return { location: groupHref(g.groupId), message: `Removed from ${g.name}.` };
    }),
  );

  app.post('/groups/:id/delete', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const g = await ownGroup(c.req.param('id'));
      if (form.confirmed !== 'yes') throw new Refused(`Tick the box to delete ${g.name}.`);
      await handledOr(env, await handleCommand(env.deps, groupDecider, groupStream(g.groupId), { type: 'DeleteGroup', groupId: g.groupId }, ctxOf(c, form, once)));
      return { location: '/groups', message: `The group ${g.name} is deleted; the people in it are kept.` };
    }),
  );

  app.post('/groups/:id/send', (c) =>
    act(c, env, 'act-on-contacts', async (form, once) => {
      const g = await groupOr404(c.req.param('id'));
      if (env.providerUrl === null) throw new Refused('Sending is not set up for this console.');
      const channel: Channel = form.channel === 'sms' ? 'sms' : 'email';
      const body = required(form, 'body', 'A message');
      const subject = (form.subject ?? '').trim();
      if (channel === 'email' && subject === '') throw new Refused('An email needs a subject.');
      const providers = providerFromUrl(env.providerUrl);
      if (E.isLeft(providers)) throw new Refused('Sending is not set up correctly for this console: an admin should check the provider.');
      // The form's one-time token is the message id: posting it twice sends nobody anything twice.
      const messageId = formCommandId(once);
      const r = await send(
        { ...env.deps, schoolId: env.schoolId, directory: storeDirectory(env.store), email: providers.right.email, sms: providers.right.sms, actor: actorOf(c) },
        { messageId, channel, subject: channel === 'email' ? subject : null, body },
        { kind: 'group', groupId: g.groupId },
      );
      if (E.isLeft(r)) throw new Refused(officeText(r.left.message));
      sessionOf(c).results.set(`send:${messageId}`, r.right);
      env.logger.info(`send ${messageId} to group ${g.groupId}: ${r.right.sent.length} sent, ${r.right.skipped.length} skipped, ${r.right.failed.length} failed`);
      return { location: `${groupHref(g.groupId)}/sent/${messageId}`, message: `Sent to ${r.right.sent.length} ${r.right.sent.length === 1 ? 'person' : 'people'}.` };
    }),
  );
};
