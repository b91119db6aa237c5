/** A real SMTP server on loopback (the `smtp-server` package) that records who each message went to. */
import { SMTPServer } from 'smtp-server';

/** One message as the server saw it: envelope recipients and its Message-ID header. */
export interface Received {
  readonly to: ReadonlyArray<string>;
  readonly messageId: string | null;
  readonly subject: string | null;
}

/** A running sink. */
export interface SmtpSink {
  readonly port: number;
  readonly received: Received[];
  /** Fails RCPT TO for these addresses with this code (e.g. 550, 451). */
  readonly rejectRecipient: Map<string, number>;
  readonly close: () => Promise<void>;
}

/** Starts a sink on 127.0.0.1 with a free port; keeps only headers, so 10,000 messages stay small. */
export const startSmtpSink = async (options: { keepMessages?: boolean } = {}): Promise<SmtpSink> => {
  const received: Received[] = [];
  const rejectRecipient = new Map<string, number>();
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 50,
    onRcptTo(address, _session, callback) {
      const code = rejectRecipient.get(address.address.toLowerCase());
      if (code === undefined) return callback();
      const err = new Error(code >= 500 ? 'No such user here' : 'Try again later') as Error & { responseCode: number };
      err.responseCode = code;
      return callback(err);
    },
    onData(stream, session, callback) {
      let head = '';
      let inBody = false;
      stream.on('data', (chunk: Buffer) => {
        if (inBody) return;
        head += chunk.toString('utf8');
        const end = head.indexOf('\r\n\r\n');
        if (end >= 0) {
          head = head.slice(0, end);
          inBody = true;
        }
      });
      stream.on('end', () => {
        const header = (name: string): string | null => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? null;
        if (options.keepMessages !== false) {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), messageId: header('Message-ID'), subject: header('Subject') });
        }
        callback();
      });
    },
  });
  // A client killed mid-conversation resets its connection: that is the client's story, not a sink failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    received,
    rejectRecipient,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
