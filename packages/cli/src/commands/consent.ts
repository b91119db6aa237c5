/** Consent commands: opt-out, opt-in (R-CON-2) and re-enable (R-CON-7). */
import { contactDecider, contactStream, handleCommand, type Channel, type ContactCommand } from '@contactable/core';
import { flag, str, type Command, type Args } from '../command.js';
import { contactLabel, handled, person, reasonCodeFrom, resolveContacts, type CliContext } from '../context.js';
import { usageError } from '../errors.js';

const apply = async (ctx: CliContext, args: Args, usage: string, what: string, code: string, build: (contactId: string) => ContactCommand): Promise<void> => {
  const ref = args.positionals[0];
  if (ref === undefined) throw usageError('name the contact (an id or an email address)', usage);
  const actor = person(str(args, 'by'), what);
  const reasonCode = reasonCodeFrom(str(args, 'reason-code'), code);
  // Consent belongs to the person and the address: every contact still holding it is acted on (R-CON-2, R-CON-7).
  const contacts = await resolveContacts(await ctx.views(), ref);
  const deps = await ctx.deps();
  const results: Array<{ contactId: string; contactName: string; recorded: string[]; changed: boolean; label: string }> = [];
  for (const c of contacts) {
    // The free-text reason is personal data (sealed, erased with the contact); the code stays readable.
    const r = handled(await handleCommand(deps, contactDecider, contactStream(c.contactId), build(c.contactId), { schoolId: ctx.schoolId, actor, reason: str(args, 'reason') ?? null, reasonCode }));
    results.push({ contactId: c.contactId, contactName: `${c.name.given} ${c.name.family}`.trim(), recorded: r.appended.map((e) => e.type), changed: r.appended.length > 0, label: contactLabel(c) });
  }
  const first = results[0]!;
  // The first contact's fields stay at the top level (the stable shape); `contacts` lists every one acted on.
  const json = { contactId: first.contactId, recorded: first.recorded, changed: results.some((r) => r.changed), contacts: results.map(({ label: _label, ...r }) => r) };
  ctx.out.result(json, () => {
    for (const r of results) ctx.out.line(r.changed ? `${what}: recorded for ${r.label}` : `${what}: nothing to change for ${r.label}`);
  });
};

/** `opt-out CONTACT --by NAME [--reason TEXT]` */
export const optOut: Command = {
  name: 'opt-out',
  summary: 'Record that a contact does not want messages',
  usage: 'contactable opt-out CONTACT --by NAME [--reason-code CODE] [--reason TEXT]   (CODE e.g. phoned-to-stop; default staff-opt-out)',
  options: { by: { type: 'string' }, reason: { type: 'string' }, 'reason-code': { type: 'string' } },
  needsStore: true,
  run: (ctx, args) => apply(ctx, args, optOut.usage, 'Opt-out', 'staff-opt-out', (contactId) => ({ type: 'OptOut', contactId, via: 'staff' })),
};

/** `opt-in CONTACT --by NAME` */
export const optIn: Command = {
  name: 'opt-in',
  summary: 'Record that a contact wants messages again (after checking with them)',
  usage: 'contactable opt-in CONTACT --by NAME [--reason-code CODE] [--reason TEXT]   (default code staff-opt-in)',
  options: { by: { type: 'string' }, reason: { type: 'string' }, 'reason-code': { type: 'string' } },
  needsStore: true,
  run: (ctx, args) => apply(ctx, args, optIn.usage, 'Opt-in', 'staff-opt-in', (contactId) => ({ type: 'OptIn', contactId, via: 'staff' })),
};

/** `re-enable CONTACT --channel email|sms --confirmed-with-contact --by NAME` */
export const reEnable: Command = {
  name: 're-enable',
  summary: 'Lift a block on a channel once you have checked with the contact',
  usage: 'contactable re-enable CONTACT --channel email|sms --confirmed-with-contact --by NAME [--reason-code CODE] [--reason TEXT]',
  options: { channel: { type: 'string' }, 'confirmed-with-contact': { type: 'boolean' }, by: { type: 'string' }, reason: { type: 'string' }, 'reason-code': { type: 'string' } },
  needsStore: true,
  run: (ctx, args) => {
    const channel = str(args, 'channel');
    if (channel !== 'email' && channel !== 'sms') throw usageError('--channel must be email or sms', reEnable.usage);
    return apply(ctx, args, reEnable.usage, 'Re-enable', 'confirmed-with-contact', (contactId) => ({
      type: 'ReEnable',
      contactId,
      channel: channel as Channel,
      confirmedWithContact: flag(args, 'confirmed-with-contact'),
    }));
  },
};
