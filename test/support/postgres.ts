/**
 * A throwaway PostgreSQL cluster for tests: initdb in a temp folder, started on 127.0.0.1
 * with a free port (no fsync), stopped and deleted by `stop()`. Servers refuse to run as
 * root, so as root the binaries run as the `postgres` user. Reused by the store
 * conformance suite and the CLI end-to-end test.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A running cluster. */
export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, loopback only). */
  readonly url: string;
  /** The cluster's data folder (for byte scans). */
  readonly dataDir: string;
  /** Makes a fresh empty database (or a copy of `template`, a database nobody is connected to) and returns its URL. */
  readonly newDatabase: (name?: string, template?: string) => Promise<string>;
  /** Drops a database (closing its connections first). */
  readonly dropDatabase: (name: string) => Promise<void>;
  /** A plain-SQL `pg_dump` of a database (default: the one `url` names). */
  readonly pgDump: (databaseUrl?: string) => Promise<string>;
  /** Stops the server at once (as a crash would: `-m immediate`), keeping its folder; `resume` starts it again on the same port. */
  readonly pause: () => Promise<void>;
  /** Starts a paused server again. */
  readonly resume: () => Promise<void>;
  /** Stops the server and deletes its folder. */
  readonly stop: () => Promise<void>;
}

/** The folder holding initdb, pg_ctl and pg_dump, or null when PostgreSQL is not installed. */
export const postgresBinDir = (): string | null => {
  const fromEnv = process.env['PG_BIN'];
  if (fromEnv !== undefined && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], 'bin');
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

// As root, run the server binaries as `postgres` (they refuse root); otherwise as ourselves.
const asServerUser = (bin: string, args: ReadonlyArray<string>): [string, string[]] =>
  isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, [...args]];

/** Starts a fresh cluster; throws with the server log when it cannot. */
export const startPostgres = async (options: { readonly settings?: Readonly<Record<string, string>> } = {}): Promise<TestPostgres> => {
  const bin = postgresBinDir();
  if (bin === null) throw new Error('PostgreSQL server binaries not found: run scripts/ensure-postgres.sh (or set PG_BIN)');
  const dir = mkdtempSync(join(tmpdir(), 'contactable-pg-'));
  const dataDir = join(dir, 'data');
  if (isRoot()) {
    chmodSync(dir, 0o755);
    await run('chown', ['postgres:postgres', dir]);
  }
  const exec = async (name: string, args: ReadonlyArray<string>): Promise<void> => {
    const [cmd, argv] = asServerUser(join(bin, name), args);
    await run(cmd, argv, { cwd: dir, timeout: 60_000 });
  };
  try {
    await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
    const port = await freePort();
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      port: String(port),
      unix_socket_directories: dir,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '100',
      ...options.settings,
    };
    const serverOptions = Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    const start = () => exec('pg_ctl', ['-D', dataDir, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    await start();
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    let databases = 0;
    return {
      url,
      dataDir,
      newDatabase: async (name, template) => {
        const db = name ?? `test_${process.pid}_${++databases}`;
        const [cmd, argv] = [join(bin, 'psql'), ['-X', '-q', '-d', url, '-c', `CREATE DATABASE "${db}"${template !== undefined ? ` TEMPLATE "${template}"` : ''}`]];
        await run(cmd, argv, { timeout: 30_000 });
        return `postgres://postgres@127.0.0.1:${port}/${db}`;
      },
      dropDatabase: async (name) => {
        await run(join(bin, 'psql'), ['-X', '-q', '-d', url, '-c', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`], { timeout: 30_000 });
      },
      pgDump: async (databaseUrl = url) => {
        const { stdout } = await run(join(bin, 'pg_dump'), ['--no-owner', '-d', databaseUrl], { maxBuffer: 1 << 30, timeout: 120_000 });
        return stdout;
      },
      pause: () => exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']),
      resume: start,
      stop: async () => {
        try {
          await exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
};
