/**
 * A server speaking just enough SMTP to take whole messages: for the recipients `drop` picks it reads the
 * message to its end and then drops the line before answering (the sender cannot know whether it was
 * taken); the others it accepts (250) and records.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** A running dropper. */
export interface SmtpDropper {
  readonly port: number;
  /** Messages read to their end and then dropped, by recipient. */
  readonly dropped: string[];
  /** Messages accepted, by recipient. */
  readonly accepted: string[];
  readonly close: () => Promise<void>;
}

/** Starts a dropper on 127.0.0.1 with a free port. */
export const startSmtpDropper = async (drop: (recipient: string) => boolean = () => true): Promise<SmtpDropper> => {
  const dropped: string[] = [];
  const accepted: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let inData = false;
    let rcpt: string[] = [];
    let buf = '';
    sock.write('220 dropper.example ESMTP\r\n');
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line !== '.') continue;
          inData = false;
          if (rcpt.some(drop)) {
            dropped.push(...rcpt);
            sock.destroy();
            return;
          }
          accepted.push(...rcpt);
          rcpt = [];
          sock.write('250 2.0.0 queued\r\n');
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'DATA') {
          inData = true;
          sock.write('354 go ahead\r\n');
        } else if (verb === 'RCPT') {
          rcpt.push((/<([^>]*)>/.exec(line)?.[1] ?? '').toLowerCase());
          sock.write('250 ok\r\n');
        } else if (verb === 'RSET' || verb === 'MAIL') {
          rcpt = [];
          sock.write('250 ok\r\n');
        } else if (verb === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    dropped,
    accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
};
