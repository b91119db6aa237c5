/** The built `contactable` command as a child process: run to the end, or start and kill with SIGKILL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI. */
export const MAIN = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));

/** What a finished run printed and how it exited (null code: killed by `signal`). */
export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** A run in progress. */
export interface Running {
  readonly child: ChildProcess;
  readonly startedAt: number;
  /** Resolves when the process has ended, however. */
  readonly done: Promise<Run>;
  /** True until it ends. */
  readonly alive: () => boolean;
  /** SIGKILL now (if still running); resolves when it is gone. */
  readonly kill: () => Promise<Run>;
}

/** Fails early with a clear message when the CLI has not been built. */
export const requireBuilt = (): void => {
  if (!existsSync(MAIN)) throw new Error(`the CLI is not built (${MAIN}): run pnpm build (pnpm chaos does)`);
};

/** Starts `contactable ARGS` in `cwd`. */
export const start = (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}): Running => {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { ...process.env, CONTACTABLE_STORE: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal, stdout, stderr, ms: Date.now() - startedAt });
    });
  });
  return {
    child,
    startedAt,
    done,
    alive: () => !ended,
    kill: async () => {
      if (!ended) child.kill('SIGKILL');
      return done;
    },
  };
};

/** Runs `contactable ARGS` to the end. */
export const run = (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> => start(args, cwd, env).done;

/** Runs it and expects exit 0, returning stdout parsed as JSON when `--json` was given. */
export const ok = async <T = unknown>(args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<T> => {
  const r = await run(args, cwd, env);
  if (r.code !== 0) throw new Error(`contactable ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr}`);
  return (args.includes('--json') ? JSON.parse(r.stdout) : r.stdout) as T;
};
