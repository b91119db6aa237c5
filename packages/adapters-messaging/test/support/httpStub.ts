/** A loopback HTTP server (node:http) that records each request and answers as the test says. */
import { createServer, type IncomingHttpHeaders } from 'node:http';

/** A request as the stub saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the stub answers. */
export interface StubReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Hold the answer this long. */
  readonly delayMs?: number;
  /** Never answer: the client's own timeout decides, with no race against a late reply. */
  readonly hang?: boolean;
  /** Drop the connection without answering, after reading the request. */
  readonly drop?: boolean;
}

/** A running stub. */
export interface HttpStub {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Replaced by each test: from the request (and its index) to the reply. */
  respond: (req: SeenRequest, index: number) => StubReply;
  readonly close: () => Promise<void>;
}

/** Starts a stub on 127.0.0.1 with a free port. */
export const startHttpStub = async (): Promise<HttpStub> => {
  const requests: SeenRequest[] = [];
  const stub: HttpStub = {
    url: '',
    requests,
    respond: () => ({ status: 500, body: { error: 'no responder' } }),
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      const reply = stub.respond(seen, requests.length - 1);
      const send = (): void => {
        if (res.destroyed) return;
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      };
      if (reply.hang === true) return;
      if (reply.drop === true) return void res.socket?.destroy();
      if (reply.delayMs !== undefined) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
};
