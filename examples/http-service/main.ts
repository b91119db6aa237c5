/**
 * Starts the example service from environment variables (see README.md). `pnpm start` in this folder.
 * SIGINT / SIGTERM: stop taking requests, let a running sync finish, close the store, exit.
 */
import { openStore } from '@contactable/adapters-store';
import type { WebhookConfigs } from '@contactable/adapters-messaging';
import { createService } from './service.js';

const env = (name: string): string | undefined => {
  const v = process.env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
};

const webhooks = (): WebhookConfigs => {
  const sendgridKey = env('CONTACTABLE_SENDGRID_WEBHOOK_KEY');
  const twilioToken = env('CONTACTABLE_TWILIO_AUTH_TOKEN');
  const notifyToken = env('CONTACTABLE_NOTIFY_CALLBACK_TOKEN');
  // SNS signs for any topic in AWS: without the school's own topics, SES callbacks are refused (misconfigured).
  const topics = env('CONTACTABLE_SES_TOPIC_ARNS')?.split(',').map((t) => t.trim()).filter((t) => t !== '');
  return {
    ...(sendgridKey !== undefined ? { sendgrid: { publicKey: sendgridKey } } : {}),
    ...(twilioToken !== undefined ? { twilio: { authToken: twilioToken } } : {}),
    ...(notifyToken !== undefined ? { notify: { bearerToken: notifyToken } } : {}),
    ...(topics !== undefined && topics.length > 0 ? { ses: { topicArns: topics } } : {}),
  };
};

const main = async (): Promise<void> => {
  const port = Number(env('PORT') ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('PORT must be a port number');
  const store = await openStore(env('CONTACTABLE_STORE') ?? './.contactable');
  const publicUrl = env('CONTACTABLE_PUBLIC_URL');
  const exportPath = env('CONTACTABLE_EXPORT');
  const staffToken = env('CONTACTABLE_STAFF_TOKEN');
  const service = createService({
    store,
    schoolId: env('CONTACTABLE_SCHOOL') ?? 'default',
    webhooks: webhooks(),
    ...(publicUrl !== undefined ? { publicUrl } : {}),
    ...(exportPath !== undefined ? { exportPath } : {}),
    ...(staffToken !== undefined ? { staffToken } : {}),
    syncAt: env('CONTACTABLE_SYNC_AT') ?? '02:00',
    // The SubscribeURL comes from an SNS message whose signature and certificate were verified.
    confirmSubscription: async (url) => {
      const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!r.ok) throw new Error(`SNS subscription confirmation answered ${r.status}`);
    },
  });
  if (exportPath === undefined) console.error('CONTACTABLE_EXPORT is not set: the scheduled sync will log a failure until it is.');
  await service.listen(port, env('HOST') ?? '127.0.0.1');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing`);
    service
      .close()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        (e: unknown) => {
          console.error(`close failed: ${e instanceof Error ? e.name : 'error'}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
};

main().catch((e: unknown) => {
  console.error(`cannot start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
