/** `send` (R-CON-9) and `feedback` (provider callbacks saved to a file: R-CON-2..5). */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import type { Audience } from '@contactable/core';
import { ingestCallback, providerFromUrl, providersFromUrls, send as sendMessage, sendPending as sendPendingMessages, storeDirectory, type CallbackProvider, type WebhookConfigs } from '@contactable/adapters-messaging';
import { uuidV7Ids } from '@contactable/adapters-store';
import { flag, str, strs, type Command } from '../command.js';
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
    if (list.length === 1 && list[0] === 'all') {
      // Every pupil the school imports: those on roll, and pre-admissions when the settings bring them across.
      const onRoll = await views.members({ kind: 'student', roll: 'on-roll' });
      const applicants = (await views.school()).settings.preAdmissions ? await views.members({ kind: 'student', roll: 'pre-admission' }) : [];
      return [...onRoll, ...applicants].map((m) => m.memberId);
    }
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
    const json = { messageId, channel, provider: rep.provider, sent: rep.sent.length, handedOver: rep.handedOver, alreadySent: rep.alreadySent.length, skipped: rep.skipped, failed: rep.failed, inDoubt: rep.inDoubt, completed: rep.completed };
    ctx.out.result(json, () => {
      ctx.out.line(`message ${messageId}: sent to ${json.sent} contact(s) as ${json.handedOver} message(s) handed to ${rep.provider}${json.alreadySent > 0 ? ` (+${json.alreadySent} in an earlier run)` : ''}, skipped ${rep.skipped.length}, failed ${rep.failed.length}${rep.inDoubt.length > 0 ? `, in doubt ${rep.inDoubt.length}` : ''}`);
      for (const s of rep.skipped) ctx.out.line(`  skipped ${s.contactId ?? `member ${s.memberId}`}: ${s.reasons.join('; ')}`);
      for (const f of rep.failed) ctx.out.line(`  failed ${f.contactId}: ${f.error}`);
      if (!rep.completed) ctx.out.line(`Not finished${rep.stopped === null ? '' : `: ${rep.stopped}`}. Re-run with --message-id ${messageId} to resume; nobody is sent to twice.`);
    });
  },
};

/** `send-pending --provider URL [--provider URL]` */
export const sendPending: Command = {
  name: 'send-pending',
  summary: 'Send the messages waiting in the outbox (confirmations queued without a provider, sends stopped part-way)',
  usage:
    'contactable send-pending --provider URL [--provider URL] [--confirmations-only]\n' +
    '  one provider per channel (e.g. smtp://... for email and twilio://... for texts); a channel with none keeps waiting',
  options: { provider: { type: 'string', multiple: true }, 'confirmations-only': { type: 'boolean' } },
  needsStore: true,
  run: async (ctx, args) => {
    const urls = strs(args, 'provider');
    if (urls.length === 0) throw usageError('give --provider URL (one per channel)', sendPending.usage);
    const providers = providersFromUrls(urls);
    if (E.isLeft(providers)) throw usageError(providers.left.message, sendPending.usage);
    const deps = { ...(await ctx.deps()), schoolId: ctx.schoolId, directory: storeDirectory(await ctx.store()), email: providers.right.email, sms: providers.right.sms };
    const r = await sendPendingMessages(deps, flag(args, 'confirmations-only') ? { purpose: 'confirmation' } : {});
    if (E.isLeft(r)) throw new CliError(r.left.message);
    const { reports, waiting, errors } = r.right;
    const json = {
      messages: reports.map((rep) => ({ messageId: rep.messageId, channel: rep.channel, provider: rep.provider, sent: rep.sent.length, handedOver: rep.handedOver, alreadySent: rep.alreadySent.length, skipped: rep.skipped, failed: rep.failed, inDoubt: rep.inDoubt, completed: rep.completed })),
      handedOver: reports.reduce((n, rep) => n + rep.handedOver, 0),
      waiting: waiting.map((w) => ({ messageId: w.messageId, channel: w.channel, purpose: w.purpose })),
      errors,
    };
    ctx.out.result(json, () => {
      if (reports.length === 0 && waiting.length === 0 && errors.length === 0) ctx.out.line('The outbox is empty: nothing waits to be sent.');
      for (const m of json.messages) ctx.out.line(`message ${m.messageId} (${m.channel}): ${m.handedOver} handed to ${m.provider}, ${m.skipped.length} skipped, ${m.failed.length} failed${m.completed ? '' : ' (not finished: run send-pending again)'}`);
      for (const w of json.waiting) ctx.out.line(`message ${w.messageId} (${w.channel}, ${w.purpose}) still waits: no ${w.channel === 'email' ? 'email' : 'text'} provider given`);
      for (const e of errors) ctx.out.line(`message ${e.messageId}: ${e.message}`);
    });
    if (errors.length > 0) throw new CliError(`${errors.length} message(s) could not be sent; the others went. Run send-pending again once fixed.`);
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
