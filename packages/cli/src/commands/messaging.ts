/** `send` (R-CON-9) and `feedback` (provider callbacks saved to a file: R-CON-2..5). */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import type { Audience } from '@contactable/core';
import { ingestCallback, providerFromUrl, send as sendMessage, storeDirectory, type CallbackProvider, type WebhookConfigs } from '@contactable/adapters-messaging';
import { uuidV7Ids } from '@contactable/adapters-store';
import { flag, str, strs, type Command } from '../command.js';
import { contactLabel, memberLabel, officeText, personName } from '@contactable/projections';
import { person, resolveContacts, resolveMember, type CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { progressBar } from '../progress.js';

const AUDIENCES = 'group:NAME | prime-parents:all | prime-parents:MEMBER,... | parental-responsibility:MEMBER,... | contacts:CONTACT,...';

const audienceFrom = async (ctx: CliContext, to: string): Promise<Audience> => {
  const colon = to.indexOf(':');
  const kind = colon < 0 ? to : to.slice(0, colon);
  const rest = colon < 0 ? '' : to.slice(colon + 1).trim();
  const list = rest.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const views = await ctx.views();
  const members = async (): Promise<string[]> => {
    if (list.length === 1 && list[0] === 'all') return (await views.members({ kind: 'student', roll: 'on-roll' })).map((m) => m.memberId);
    const ids: string[] = [];
    for (const r of list) ids.push(await resolveMember(views, r));
    return ids;
  };
  switch (kind) {
    case 'group': {
      if (rest === '') throw usageError('--to group:NAME names one group (its name or id; see: contactable groups)', AUDIENCES);
      const found = await views.findGroups(rest);
      if (found.length === 0) throw new CliError(`No group named "${rest}". List them with: contactable groups`);
      if (found.length > 1) throw new CliError(`${found.length} groups are named "${rest}"; use the group's id (see: contactable groups).`);
      return { kind: 'group', groupId: found[0]!.value.groupId };
    }
    case 'prime-parents':
      return { kind: 'prime-parents', memberIds: await members() };
    case 'parental-responsibility':
      return { kind: 'parental-responsibility', memberIds: await members() };
    case 'contacts': {
      const ids: string[] = [];
      for (const r of list) for (const c of await resolveContacts(views, r)) ids.push(c.contactId);
      return { kind: 'contacts', contactIds: [...new Set(ids)] };
    }
    default:
      throw usageError(`--to must be one of: ${AUDIENCES}`);
  }
};

/** `send --to AUDIENCE --channel email|sms --subject S --body B --provider URL` */
export const send: Command = {
  name: 'send',
  summary: 'Send a message to an audience, only where consent and deliverability allow; report who was skipped and why',
  usage: `contactable send --to AUDIENCE --channel email|sms [--subject S] --body B --provider URL --by NAME [--message-id ID]\n  AUDIENCE: ${AUDIENCES}\n  URL: smtp://host:port?from=... | notify://KEY@host?template=... | twilio://SID:TOKEN@host?from=... | sendgrid://KEY@host?from=...`,
  options: { to: { type: 'string' }, channel: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' }, provider: { type: 'string' }, by: { type: 'string' }, 'message-id': { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const channel = str(args, 'channel');
    if (channel !== 'email' && channel !== 'sms') throw usageError('--channel must be email or sms', send.usage);
    const to = str(args, 'to');
    const body = str(args, 'body');
    const providerUrl = str(args, 'provider');
    if (to === undefined || body === undefined || providerUrl === undefined) throw usageError('--to, --body and --provider are required', send.usage);
    if (channel === 'email' && str(args, 'subject') === undefined) throw usageError('an email needs --subject', send.usage);
    const actor = person(str(args, 'by'), 'Sending');
    const providers = providerFromUrl(providerUrl);
    if (E.isLeft(providers)) throw new CliError(providers.left.message);
    const audience = await audienceFrom(ctx, to);
    const messageId = str(args, 'message-id') ?? uuidV7Ids.next();
    const bar = progressBar('sending', !ctx.out.json && process.stderr.isTTY === true);
    const deps = { ...(await ctx.deps()), schoolId: ctx.schoolId, directory: storeDirectory(await ctx.store()), email: providers.right.email, sms: providers.right.sms, actor };
    const r = await sendMessage(deps, { messageId, channel, subject: str(args, 'subject') ?? null, body }, audience);
    bar.finish();
    if (E.isLeft(r)) throw new CliError(r.left.message);
    const rep = r.right;
    // Everyone left out, named: a contact by name and whose parent they are, a member by name and MIS reference.
    const views = await ctx.views();
    const named = async (contactId: string | null, memberId: string | null) => {
      const c = contactId === null ? null : await views.contact(contactId);
      const m = memberId === null ? null : await views.member(memberId);
      return { contactName: c === null ? null : personName(c.name), memberName: m === null ? null : personName(m.name), misReference: m?.misReference ?? null, label: c !== null ? contactLabel(c) : m !== null ? `${memberLabel(m)} (no one to send to)` : 'someone no longer held' };
    };
    const skipped = await Promise.all(rep.skipped.map(async (x) => ({ ...x, ...(await named(x.contactId, x.memberId)) })));
    const failed = await Promise.all(rep.failed.map(async (x) => ({ ...x, ...(await named(x.contactId, null)) })));
    const json = {
      messageId,
      channel,
      provider: rep.provider,
      sent: rep.sent.length,
      handedOver: rep.handedOver,
      alreadySent: rep.alreadySent.length,
      skipped: skipped.map(({ label: _l, ...x }) => x),
      failed: failed.map(({ label: _l, ...x }) => x),
      inDoubt: rep.inDoubt,
      completed: rep.completed,
    };
    ctx.out.result(json, () => {
      ctx.out.line(`message ${messageId}: sent to ${json.sent} contact(s) as ${json.handedOver} message(s) handed to ${rep.provider}${json.alreadySent > 0 ? ` (+${json.alreadySent} in an earlier run)` : ''}, skipped ${rep.skipped.length}, failed ${rep.failed.length}${rep.inDoubt.length > 0 ? `, in doubt ${rep.inDoubt.length}` : ''}`);
      for (const s of [...skipped].sort((a, b) => a.label.localeCompare(b.label))) ctx.out.line(`  skipped ${s.label}: ${s.reasons.map(officeText).join('; ')}`);
      for (const f of failed) ctx.out.line(`  failed ${f.label}: ${officeText(f.error)}`);
      if (!rep.completed) ctx.out.line(`Not finished${rep.stopped === null ? '' : `: ${rep.stopped}`}. Re-run with --message-id ${messageId} to resume; nobody is sent to twice.`);
    });
  },
};

/** The secrets that verify callbacks, from the environment (never from arguments, which shells log). */
export const webhookConfigsFromEnv = (env: NodeJS.ProcessEnv = process.env): WebhookConfigs => ({
  ...(env.CONTACTABLE_SENDGRID_WEBHOOK_KEY !== undefined ? { sendgrid: { publicKey: env.CONTACTABLE_SENDGRID_WEBHOOK_KEY } } : {}),
  ...(env.CONTACTABLE_TWILIO_AUTH_TOKEN !== undefined ? { twilio: { authToken: env.CONTACTABLE_TWILIO_AUTH_TOKEN, ...(env.CONTACTABLE_TWILIO_ACCOUNT_SID !== undefined ? { accountSid: env.CONTACTABLE_TWILIO_ACCOUNT_SID } : {}) } } : {}),
  ...(env.CONTACTABLE_NOTIFY_CALLBACK_TOKEN !== undefined ? { notify: { bearerToken: env.CONTACTABLE_NOTIFY_CALLBACK_TOKEN } } : {}),
  ses: env.CONTACTABLE_SES_TOPIC_ARNS !== undefined ? { topicArns: env.CONTACTABLE_SES_TOPIC_ARNS.split(',') } : {},
});

const PROVIDERS = ['sendgrid', 'twilio', 'ses', 'notify'] as const;

/** `feedback PROVIDER FILE [--header NAME=VALUE ...] [--url URL] [--unverified]` */
export const feedback: Command = {
  name: 'feedback',
  summary: 'Ingest one provider callback saved to a file (signature checked unless --unverified)',
  usage:
    'contactable feedback sendgrid|twilio|ses|notify FILE [--header NAME=VALUE ...] [--url URL] [--unverified]\n' +
    '  secrets from the environment: CONTACTABLE_SENDGRID_WEBHOOK_KEY, CONTACTABLE_TWILIO_AUTH_TOKEN, CONTACTABLE_NOTIFY_CALLBACK_TOKEN, CONTACTABLE_SES_TOPIC_ARNS',
  options: { header: { type: 'string', multiple: true }, url: { type: 'string' }, unverified: { type: 'boolean' } },
  needsStore: true,
  run: async (ctx, args) => {
    const [provider, file] = args.positionals;
    if (provider === undefined || file === undefined) throw usageError('name the provider and the file', feedback.usage);
    if (!(PROVIDERS as ReadonlyArray<string>).includes(provider)) throw usageError(`PROVIDER must be one of ${PROVIDERS.join(', ')}`, feedback.usage);
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      throw new CliError(`cannot read ${file}: check the path.`);
    }
    const headers: Record<string, string> = {};
    for (const h of strs(args, 'header')) {
      const eq = h.indexOf('=');
      if (eq <= 0) throw usageError(`--header takes NAME=VALUE (got "${h}")`, feedback.usage);
      headers[h.slice(0, eq).trim()] = h.slice(eq + 1).trim();
    }
    const verify = !flag(args, 'unverified');
    const url = str(args, 'url');
    const deps = { ...(await ctx.deps()), schoolId: ctx.schoolId, directory: storeDirectory(await ctx.store()), webhooks: webhookConfigsFromEnv() };
    const r = await ingestCallback(deps, provider as CallbackProvider, { body, headers, ...(url !== undefined ? { url } : {}) }, { verify });
    if (E.isLeft(r)) throw new CliError(`${file}: ${r.left.message}; nothing was recorded.`);
    const rep = r.right;
    const json = { provider, verified: rep.verified, facts: rep.facts, unmatched: rep.unmatched, eventsWritten: rep.written, unchanged: rep.unchanged, ignored: rep.ignored, errors: rep.errors };
    ctx.out.result(json, () => {
      ctx.out.line(`${provider}${verify ? '' : ' (unverified)'}: ${rep.facts} fact(s), ${rep.written} event(s) recorded, ${rep.unchanged} unchanged, ${rep.unmatched} for no known contact`);
      for (const i of rep.ignored) ctx.out.line(`  ignored: ${i}`);
      for (const e of rep.errors) ctx.out.line(`  refused: ${e}`);
    });
  },
};
