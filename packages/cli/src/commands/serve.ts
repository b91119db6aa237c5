/** `serve`: the staff console and the provider webhooks on one HTTP server, until stopped (the console is loaded only here). */
import { str, type Command } from '../command.js';
import { CliError, usageError } from '../errors.js';

/** `serve [--port 8080] [--host 127.0.0.1] [--provider URL] [--public-url URL]` */
export const serve: Command = {
  name: 'serve',
  summary: 'Run the staff console (web pages for the office and compliance) and the provider webhooks',
  usage:
    'contactable serve [--port 8080] [--host 127.0.0.1] [--provider URL] [--public-url URL]\n' +
    '  --provider URL    where messages go (or CONTACTABLE_PROVIDER): smtp://host:port?from=..., notify://..., twilio://..., sendgrid://...\n' +
    '  --public-url URL  the address the providers call (or CONTACTABLE_PUBLIC_URL), e.g. https://contacts.school.example\n' +
    '  webhook secrets come from the environment, as for `feedback`; the nightly sync is set on the Settings page',
  options: { port: { type: 'string' }, host: { type: 'string' }, provider: { type: 'string' }, 'public-url': { type: 'string' } },
  needsStore: true,
  run: async (ctx, args) => {
    const port = Number(str(args, 'port') ?? process.env.PORT ?? '8080');
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw usageError('--port must be a port number', serve.usage);
    const host = str(args, 'host') ?? '127.0.0.1';
    const { createConsole, webhookConfigsFromEnv } = await import('@contactable/console');
    const store = await ctx.store();
    const views = await ctx.views();
    const publicUrl = str(args, 'public-url') ?? process.env.CONTACTABLE_PUBLIC_URL;
    const providerUrl = str(args, 'provider') ?? process.env.CONTACTABLE_PROVIDER;
    const server = createConsole({
      store,
      views,
      schoolId: ctx.schoolId,
      webhooks: webhookConfigsFromEnv(),
      ...(publicUrl !== undefined && publicUrl !== '' ? { publicUrl } : {}),
      providerUrl: providerUrl === undefined || providerUrl === '' ? null : providerUrl,
      // The SubscribeURL comes from an SNS message whose signature and certificate were verified.
      confirmSubscription: async (url) => {
        const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        if (!r.ok) throw new Error(`SNS subscription confirmation answered ${r.status}`);
      },
    });
    let address: { url: string };
    try {
      address = await server.listen(port, host);
    } catch (e) {
      await server.close();
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliError(code === 'EADDRINUSE' ? `port ${port} is in use: choose another with --port.` : `cannot listen on ${host}:${port} (${code ?? 'error'}).`);
    }
    const staff = await views.staff();
    ctx.out.result({ url: address.url, schoolId: ctx.schoolId, staff: staff.length, sending: providerUrl !== undefined && providerUrl !== '' }, () => {
      ctx.out.line(`The console is at ${address.url} (school ${ctx.schoolId}). Stop it with Ctrl-C.`);
      if (staff.length === 0) ctx.out.line('No one can sign in yet: add an admin with  contactable staff add EMAIL --name "NAME" --role admin');
      if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') ctx.out.line('Put it behind HTTPS: browsers send its sign-in cookie only over HTTPS (or to this machine itself).');
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    ctx.out.note('stopping: letting a running sync finish');
    await server.close();
  },
};
