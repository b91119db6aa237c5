/** `send` (R-CON-9) and `feedback` (provider callbacks saved to a file: R-CON-2..5). */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import type { Audience } from '@contactable/core';
import { ingestCallback, providerFromUrl, providersFromUrls, resumeSend, send as sendMessage, sendPending as sendPendingMessages, storeDirectory, type CallbackProvider, type WebhookConfigs } from '@contactable/adapters-messaging';
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

const listNames = (names: ReadonlyArray<string>, max = 20): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

/** `send --to AUDIENCE --channel email|sms --subject S --body B --provider URL`, or `send --message-id ID [--resend-in-doubt] --provider URL` to carry on with one. */
export const send: Command = {
  name: 'send',
  summary: 'Send a message to an audience, only where consent and deliverability allow; report who was skipped, refused, not sent or in doubt',
  usage:
    `contactable send --to AUDIENCE --channel email|sms [--subject S] --body B --provider URL --by NAME [--message-id ID] [--keep-days N]\n` +
    `       contactable send --message-id ID --provider URL --by NAME [--resend-in-doubt]   (carry on with a message already requested)\n` +
    `  AUDIENCE: ${AUDIENCES}\n  URL: smtp://host:port?from=... | notify://KEY@host?template=... | twilio://SID:TOKEN@host?from=... | sendgrid://KEY@host?from=...\n` +
    "  --keep-days: days the subject and body are kept before they are erased (default: the school's message retention)\n" +
    '  --resend-in-doubt: send once more to the recipients in doubt (an earlier run may have reached them), recorded as decided by --by\n' +
    '  exits 1 when anyone is refused, not sent or in doubt, saying what to do',
  options: {
    to: { type: 'string' }, channel: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' }, provider: { type: 'string' }, by: { type: 'string' },
    'message-id': { type: 'string' }, 'resend-in-doubt': { type: 'boolean' }, 'keep-days': { type: 'string' },
  },
  needsStore: true,
  run: async (ctx, args) => {
    const to = str(args, 'to');
    const body = str(args, 'body');
    const providerUrl = str(args, 'provider');
    const givenId = str(args, 'message-id');
    const resendInDoubt = flag(args, 'resend-in-doubt');
    // With no audience and no body, an existing message is carried on with what was recorded for it.
    const resuming = to === undefined && body === undefined && givenId !== undefined;
    if (resendInDoubt && givenId === undefined) throw usageError('--resend-in-doubt needs the --message-id of the send', send.usage);
    if (providerUrl === undefined) throw usageError('--provider is required', send.usage);
    const channel = str(args, 'channel');
    if (!resuming) {
      if (channel !== 'email' && channel !== 'sms') throw usageError('--channel must be email or sms', send.usage);
      if (to === undefined || body === undefined) throw usageError('--to and --body are required (or only --message-id, to carry on with a message already requested)', send.usage);
      if (channel === 'email' && str(args, 'subject') === undefined) throw usageError('an email needs --subject', send.usage);
    }
    const actor = person(str(args, 'by'), resendInDoubt ? 'Deciding to send again to recipients in doubt' : 'Sending');
    const providers = providerFromUrl(providerUrl);
    if (E.isLeft(providers)) throw new CliError(providers.left.message);
    const keep = str(args, 'keep-days');
    const retentionDays = keep === undefined ? undefined : Number(keep);
    if (retentionDays !== undefined && (!Number.isInteger(retentionDays) || retentionDays < 1)) throw usageError('--keep-days takes a whole number of days, at least 1', send.usage);
    if (retentionDays !== undefined && (resuming || resendInDoubt)) throw usageError('--keep-days is set when the message is first sent, not when carrying on with one', send.usage);
    const messageId = givenId ?? uuidV7Ids.next();
    const bar = progressBar('sending', !ctx.out.json && process.stderr.isTTY === true);
    const deps = {
      ...(await ctx.deps()), schoolId: ctx.schoolId, directory: storeDirectory(await ctx.store()),
      email: providers.right.email, sms: providers.right.sms, actor, resendInDoubt,
    };
    // Without --message-id the id is made here: say it at once, so an interrupted send can be carried on.
    if (givenId === undefined) ctx.out.note(`message ${messageId}: sending (if interrupted, carry on with --message-id ${messageId})`);
    let r: Awaited<ReturnType<typeof sendMessage>>;
    try {
      r = resuming || resendInDoubt
        ? await resumeSend(deps, messageId)
        : await sendMessage(deps, { messageId, channel: channel as 'email' | 'sms', subject: str(args, 'subject') ?? null, body: body!, ...(retentionDays === undefined ? {} : { retentionDays }) }, await audienceFrom(ctx, to!));
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(
        `failed: ${e instanceof Error ? e.message : String(e)}\nThe send stopped part-way. Once that is fixed, carry on with: contactable send --message-id ${messageId} --provider URL --by NAME (nobody is sent to twice; anyone it cannot be sure about is listed as in doubt).`,
      );
    } finally {
      bar.finish();
      await providers.right.email?.close?.();
      await providers.right.sms?.close?.();
    }
    if (E.isLeft(r)) throw new CliError(r.left.message);
    const rep = r.right;
    // Everyone left out, named: a contact by name and whose parent they are, a member by name and MIS reference.
    const views = await ctx.views();
    const named = async (contactId: string | null, memberId: string | null) => {
      const c = contactId === null ? null : await views.contact(contactId);
      const m = memberId === null ? null : await views.member(memberId);
      return { contactName: c === null ? null : personName(c.name), memberName: m === null ? null : personName(m.name), misReference: m?.misReference ?? null, label: c !== null ? contactLabel(c) : m !== null ? `${memberLabel(m)} (no one to send to)` : 'someone no longer held' };
    };
    const withNames = <T extends { readonly contactId: string }>(xs: ReadonlyArray<T>) =>
      Promise.all(xs.map(async (x) => { const n = await named(x.contactId, null); return { ...x, name: n.contactName ?? 'a contact not held', label: n.label }; }));
    const skipped = await Promise.all(rep.skipped.map(async (x) => ({ ...x, ...(await named(x.contactId, x.memberId)) })));
    const failed = await withNames(rep.failed);
    const inDoubt = await withNames(rep.inDoubt);
    const notSent = await withNames(rep.notSent);
    const unlabelled = <T extends { readonly label: string }>(xs: ReadonlyArray<T>) => xs.map(({ label: _l, ...x }) => x);
    const json = {
      messageId, channel: rep.channel, provider: rep.provider, sent: rep.sent.length, handedOver: rep.handedOver, alreadySent: rep.alreadySent.length, resent: rep.resent.length,
      skipped: unlabelled(skipped), failed: unlabelled(failed), inDoubt: unlabelled(inDoubt), notSent: unlabelled(notSent), completed: rep.completed, stopped: rep.stopped,
    };
    ctx.out.result(json, () => {
      ctx.out.line(
        `message ${messageId}: sent to ${json.sent} contact(s) as ${json.handedOver} message(s) handed to ${rep.provider}${json.alreadySent > 0 ? ` (+${json.alreadySent} in an earlier run)` : ''}` +
          `${json.resent > 0 ? ` (${json.resent} of them in doubt, sent again as decided)` : ''}, skipped ${rep.skipped.length}, refused ${rep.failed.length}, not sent ${rep.notSent.length}, in doubt ${rep.inDoubt.length}`,
      );
      for (const s of [...skipped].sort((x, y) => x.label.localeCompare(y.label))) ctx.out.line(`  skipped ${s.label}: ${s.reasons.map(officeText).join('; ')}`);
      for (const f of failed) ctx.out.line(`  refused ${f.label}: ${officeText(f.error)}`);
      for (const d of inDoubt) ctx.out.line(`  in doubt ${d.label}: ${officeText(d.detail)}`);
      if (notSent.length > 0) ctx.out.line(`  not sent: ${listNames(notSent.map((n) => n.label))}`);
      for (const w of rep.warnings) ctx.out.line(`  warning: ${officeText(w)}`);
    });
    // Anyone left without a message is a failed run: say how many and what to do.
    const todo: string[] = [];
    if (rep.notSent.length > 0) {
      todo.push(
        `${rep.notSent.length} recipient(s) not sent${rep.stopped !== null ? ` (${rep.stopped})` : ''}: nothing was handed over for them. ` +
          `Once that is fixed, carry on with: contactable send --message-id ${messageId} --provider URL --by NAME (nobody is sent to twice).`,
      );
    }
    if (rep.inDoubt.length > 0) {
      todo.push(
        `${rep.inDoubt.length} recipient(s) in doubt (the provider may have taken the message, with no answer): ${listNames(inDoubt.map((d) => d.label), 10)}. ` +
          `They are not sent again on their own. Check with the provider or the people, then to send to them once more: contactable send --resend-in-doubt --message-id ${messageId} --provider URL --by NAME.`,
      );
    }
    if (rep.failed.length > 0) todo.push(`${rep.failed.length} recipient(s) refused by the provider (see each reason): check their details with the school's records.`);
    if (todo.length === 0 && !rep.completed) todo.push(`the message is not complete${rep.stopped !== null ? `: ${rep.stopped}` : ''}. Carry on with: contactable send --message-id ${messageId} --provider URL --by NAME.`);
    if (todo.length > 0) throw new CliError(todo.join('\n'));
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
      messages: reports.map((rep) => ({ messageId: rep.messageId, channel: rep.channel, provider: rep.provider, sent: rep.sent.length, handedOver: rep.handedOver, alreadySent: rep.alreadySent.length, skipped: rep.skipped, failed: rep.failed, notSent: rep.notSent, inDoubt: rep.inDoubt, completed: rep.completed })),
      handedOver: reports.reduce((n, rep) => n + rep.handedOver, 0),
      waiting: waiting.map((w) => ({ messageId: w.messageId, channel: w.channel, purpose: w.purpose })),
      errors,
    };
    ctx.out.result(json, () => {
      if (reports.length === 0 && waiting.length === 0 && errors.length === 0) ctx.out.line('The outbox is empty: nothing waits to be sent.');
      for (const m of json.messages) ctx.out.line(`message ${m.messageId} (${m.channel}): ${m.handedOver} handed to ${m.provider}, ${m.skipped.length} skipped, ${m.failed.length} refused, ${m.notSent.length} not sent, ${m.inDoubt.length} in doubt${m.completed ? '' : ' (not finished: run send-pending again; for those in doubt see send --resend-in-doubt)'}`);
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
    '  secrets from the environment: CONTACTABLE_SENDGRID_WEBHOOK_KEY, CONTACTABLE_TWILIO_AUTH_TOKEN, CONTACTABLE_NOTIFY_CALLBACK_TOKEN, CONTACTABLE_SES_TOPIC_ARNS (required for ses)\n' +
    '  a callback already applied is reported and changes nothing (exit 0); one older than its provider\'s window is refused (exit 1)',
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
    if (E.isLeft(r) && r.left.reason === 'replayed') {
      // Already applied (a provider retry, or the same file again): nothing to do, and not a failure.
      const json = { provider, verified: verify, replayed: true, facts: 0, unmatched: 0, eventsWritten: 0, unchanged: 0, ignored: [], errors: [] };
      ctx.out.result(json, () => ctx.out.line(`${provider}: ${r.left.message.replace(/^.*?: /, '')}`));
      return;
    }
    if (E.isLeft(r)) throw new CliError(`${file}: ${r.left.message}; nothing was recorded.`);
    const rep = r.right;
    const json = { provider, verified: rep.verified, replayed: false, callbackId: rep.callbackId, facts: rep.facts, unmatched: rep.unmatched, eventsWritten: rep.written, unchanged: rep.unchanged, ignored: rep.ignored, errors: rep.errors };
    ctx.out.result(json, () => {
      ctx.out.line(`${provider}${verify ? '' : ' (unverified)'}: ${rep.facts} fact(s), ${rep.written} event(s) recorded, ${rep.unchanged} unchanged, ${rep.unmatched} for no known contact`);
      for (const i of rep.ignored) ctx.out.line(`  ignored: ${i}`);
      for (const e of rep.errors) ctx.out.line(`  refused: ${e}`);
    });
  },
};
