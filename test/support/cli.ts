/** The built CLI as a user runs it, for the end-to-end tests: a fresh process per command, in a folder. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI's entry point (`pnpm build` makes it). */
export const MAIN = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

/** What one command did. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the whole process, in ms. */
  readonly ms: number;
}

/** Throws unless the CLI is built. */
export const needBuiltCli = (): void => {
  if (!existsSync(MAIN)) throw new Error(`the CLI is not built (${MAIN}): run pnpm build`);
};

/**
 * Runs `contactable ARGS` in a folder (no store from the environment; `env` adds to it). A PostgreSQL
 * store keeps its key-encryption key in a file outside the database: by default `school.kek` in the
 * folder (an embedded store keeps its own beside its folder, whatever this says).
 */
export const cli = (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
  new Promise((resolve) => {
    const started = Date.now();
    const base = { CONTACTABLE_STORE: '', CONTACTABLE_KEK_FILE: join(cwd, 'school.kek') };
    execFile(process.execPath, [MAIN, ...args], { cwd, env: { ...process.env, ...base, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr, ms: Date.now() - started });
    });
  });

/** Runs `contactable ARGS --json` and parses what it printed; a non-zero exit throws with its stderr. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const cliJson = async <T = any>(args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<T> => {
  const r = await cli([...args, '--json'], cwd, env);
  if (r.code !== 0) throw new Error(`contactable ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};
