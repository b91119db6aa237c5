/**
 * Messaging benchmark: one message to BENCH_RECIPIENTS contacts (default 10,000) through the real
 * path — audience resolution, the contactability policy, the outbox (intent, attempt markers,
 * MessageSent per contact) — to a real SMTP server on loopback (`smtp-server`) over nodemailer's
 * pooled transport, on the in-memory store. Prints messages/s and peak RSS, and checks the server
 * received each recipient exactly once.
 *
 * Runs on the built packages: `pnpm build`, then `node --import tsx bench/messaging.ts`.
 * Env: BENCH_RECIPIENTS, BENCH_SMTP_POOL (connections, default 5), BENCH_BATCH (recipients per
 * attempt marker, default 8).
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { contactDecider, contactStream, emailDetail, handleCommand, memoryStore, sequentialIds, steppingClock } from '../packages/core/dist/index.js';
import { providerFromUrl, send, storeDirectory } from '../packages/adapters-messaging/dist/index.js';
import { startSmtpSink } from '../packages/adapters-messaging/test/support/smtpSink.js';

/** What to run. */
export interface BenchMessagingOptions {
  readonly recipients?: number;
  readonly pool?: number;
  readonly batchSize?: number;
  readonly log?: (line: string) => void;
}

/** What one run measured. */
export interface MessagingBenchResult {
  readonly recipients: number;
  readonly sent: number;
  readonly received: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  readonly peakRssMb: number;
  /** Every recipient got exactly one message. */
  readonly exactlyOnce: boolean;
}

// fp-ts is not a root dependency: read Either values by their tag.
const unwrap = <A>(r: { readonly _tag: 'Left'; readonly left: { readonly message: string } } | { readonly _tag: 'Right'; readonly right: A }): A => {
  if (r._tag === 'Left') throw new Error(r.left.message);
  return r.right;
};

const envNumber = (name: string): number | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : Number(v);
};

/** Sends one message to many contacts over loopback SMTP and reports the rate and peak RSS. */
export async function benchMessaging(opts: BenchMessagingOptions = {}): Promise<MessagingBenchResult> {
  const recipients = opts.recipients ?? envNumber('BENCH_RECIPIENTS') ?? 10_000;
  const pool = opts.pool ?? envNumber('BENCH_SMTP_POOL') ?? 5;
  const batchSize = opts.batchSize ?? envNumber('BENCH_BATCH') ?? 8;
  const log = opts.log ?? ((line: string) => console.log(line));

  const store = memoryStore();
  const deps = { store, clock: steppingClock('2026-09-01T08:00:00.000Z', 1), ids: sequentialIds('bench') };
  const ids: string[] = [];
  for (let i = 0; i < recipients; i++) {
    const contactId = `c-${String(i).padStart(6, '0')}`;
    ids.push(contactId);
    unwrap(await handleCommand(deps, contactDecider, contactStream(contactId), {
      type: 'ImportContact',
      contactId,
      source: { kind: 'mis', system: 'bench', externalId: contactId },
      name: { given: 'Parent', family: String(i) },
      email: emailDetail(`parent${i}@example.org`, 'Home'),
      mobile: null,
    }, { schoolId: 'bench', actor: { kind: 'import', runId: 'bench' } }));
  }

  const sink = await startSmtpSink();
  const email = unwrap(providerFromUrl(`smtp://127.0.0.1:${sink.port}?from=office@school.example&pool=${pool}`)).email!;

  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const start = performance.now();
  try {
    const report = unwrap(await send(
      { ...deps, schoolId: 'bench', directory: storeDirectory(store), email, batchSize },
      { messageId: 'bench-message', channel: 'email', subject: 'Term dates', body: 'The autumn term starts on Wednesday 3 September.' },
      { kind: 'contacts', contactIds: ids },
    ));
    const seconds = (performance.now() - start) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    const counts = new Map<string, number>();
    for (const r of sink.received) for (const to of r.to) counts.set(to, (counts.get(to) ?? 0) + 1);
    const exactlyOnce = counts.size === recipients && [...counts.values()].every((n) => n === 1);
    const figures: MessagingBenchResult = {
      recipients,
      sent: report.sent.length,
      received: sink.received.length,
      seconds: Math.round(seconds * 100) / 100,
      messagesPerSecond: Math.round(report.sent.length / seconds),
      peakRssMb: Math.round(peak / 1048576),
      exactlyOnce,
    };
    log(`messaging: ${figures.sent} of ${recipients} sent over loopback SMTP (pool ${pool}, batches of ${batchSize}) in ${figures.seconds} s`);
    log(`  ${figures.messagesPerSecond} messages/s, peak RSS ${figures.peakRssMb} MB, server received ${figures.received}, exactly once: ${exactlyOnce ? 'yes' : 'NO'}`);
    return figures;
  } finally {
    clearInterval(timer);
    await email.close?.();
    await sink.close();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchMessaging();
}
