/**
 * `keys export|import|status`: the backup of the store's per-person keys (R-DEL-3). An export holds
 * the keys encrypted under a passphrase (scrypt + AES-256-GCM), never an erased person's key; it
 * stands in for the key-encryption key file if that is lost, so after each retention run that
 * erased someone a new export replaces the older ones (which still hold the erased keys).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_TIME_ZONE, type EventStore } from '@contactable/core';
import { checkErasureSettings, exportKeys, importKeys, isStoreError, keyStatusOf, MIN_PASSPHRASE, openStore } from '@contactable/adapters-store';
import { flag, str, type Args, type Command } from '../command.js';
import type { CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { schoolTime } from '../schoolTime.js';

const USAGE =
  'contactable keys export --to FILE | keys import --from FILE [--recover] | keys status\n' +
  '  the passphrase: --passphrase-file FILE (its first line), or CONTACTABLE_KEYS_PASSPHRASE, or typed at a terminal\n' +
  '  --recover: the store was restored from a backup taken before a retention run destroyed its key-encryption key';

/** Reads a line from the terminal without echoing it. */
const askHidden = (question: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    let typed = '';
    const done = (fail?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (fail === undefined) resolve(typed);
      else reject(fail);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('cancelled', 1));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });

/** The passphrase from a file, the environment, or the terminal (twice when making an export); never from the command line. */
const passphraseFrom = async (args: Args, confirm: boolean): Promise<string> => {
  const file = str(args, 'passphrase-file');
  if (file !== undefined) {
    try {
      return (readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '').trim();
    } catch {
      throw new CliError(`cannot read the passphrase file ${file}: check the path.`);
    }
  }
  const env = process.env['CONTACTABLE_KEYS_PASSPHRASE'];
  if (env !== undefined && env !== '') return env;
  if (process.stdin.isTTY !== true) throw usageError('give the passphrase with --passphrase-file FILE or CONTACTABLE_KEYS_PASSPHRASE (never on the command line)', USAGE);
  const first = await askHidden('passphrase: ');
  if (confirm && (await askHidden('the same passphrase again: ')) !== first) throw new CliError('the two passphrases differ; nothing was written.');
  return first;
};

/** Writes a file whole or not at all (temporary file, flushed, renamed), readable by its owner only. */
const writeWhole = (path: string, text: string): void => {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    throw new CliError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}): check the folder exists and you may write there.`);
  }
};

const exportCommand = async (ctx: CliContext, args: Args): Promise<void> => {
  const to = str(args, 'to');
  if (to === undefined) throw usageError('keys export needs --to FILE', USAGE);
  const passphrase = await passphraseFrom(args, true);
  if (passphrase.length < MIN_PASSPHRASE) throw usageError(`the passphrase must be at least ${MIN_PASSPHRASE} characters`, USAGE);
  const { text, count } = await exportKeys(await ctx.store(), passphrase);
  writeWhole(to, text);
  const json = { file: to, keys: count, encryption: 'scrypt + AES-256-GCM under the passphrase' };
  ctx.out.result(json, () => {
    ctx.out.line(`${count} key(s) written to ${to}, encrypted under the passphrase (erased people's keys are never exported).`);
    ctx.out.line('Keep it apart from the database backups, and after each retention run that erases someone make a new export and destroy this one.');
  });
};

const importCommand = async (ctx: CliContext, args: Args): Promise<void> => {
  const from = str(args, 'from');
  if (from === undefined) throw usageError('keys import needs --from FILE', USAGE);
  let text: string;
  try {
    text = readFileSync(from, 'utf8');
  } catch {
    throw new CliError(`cannot read ${from}: check the path.`);
  }
  const passphrase = await passphraseFrom(args, false);
  const recover = flag(args, 'recover');
  let store: EventStore;
  let own = false;
  if (recover) {
    try {
      store = await openStore(ctx.storeUrl, { ...ctx.storeOptions, recoverKeys: true });
      own = true;
    } catch (e) {
      throw new CliError(isStoreError(e) ? e.message : `could not open the store: ${String(e)}`);
    }
  } else store = await ctx.store();
  try {
    let r;
    try {
      r = await importKeys(store, text, passphrase);
    } catch (e) {
      throw new CliError(`${from}: ${(e as Error).message}; nothing was imported.`);
    }
    // A store opened to recover its keys has no read models to ask the school's zone of.
    const zone = recover ? DEFAULT_TIME_ZONE : await ctx.zone();
    const json = { file: from, exportedAt: r.createdAt, restored: r.restored, alreadyHeld: r.alreadyHeld, erased: r.erased, conflicts: r.conflicts, unrecoverable: r.unrecoverable };
    ctx.out.result(json, () => {
      ctx.out.line(`from the export of ${schoolTime(r.createdAt, zone)}: ${r.restored} key(s) restored, ${r.alreadyHeld} already held, ${r.erased} of people erased since (never restored)`);
      if (r.conflicts > 0) ctx.out.line(`${r.conflicts} person(s) hold another key now: their data from before stays unreadable.`);
      if (r.unrecoverable > 0) ctx.out.line(`${r.unrecoverable} key(s) wrapped under a destroyed key-encryption key and not in the export were dropped: their data reads XXXX.`);
      if (recover) ctx.out.line('Now run `contactable retention`: everyone erased since the backup was taken is erased again.');
    });
  } finally {
    if (own) await store.close();
  }
};

const statusCommand = async (ctx: CliContext): Promise<void> => {
  const store = await ctx.store();
  const status = await keyStatusOf(store);
  const check = await checkErasureSettings(store);
  const zone = await ctx.zone();
  const json = { keys: status, warnings: check.findings.filter((f) => f.level === 'warning'), backups: check.backups };
  ctx.out.result(json, () => {
    if (status === null) {
      ctx.out.line('this store keeps no keys (memory:)');
      return;
    }
    ctx.out.line(`key-encryption key: ${status.kekId ?? '(none yet)'} in ${status.source}${status.rotatable ? '' : ' (fixed: cannot be rotated)'}`);
    ctx.out.line(`keys held: ${status.keys}; erased so far: ${status.forgotten}`);
    const rw = status.lastRewrap;
    ctx.out.line(`last re-wrap: ${rw === null ? 'never' : `${schoolTime(rw.at, zone)}, ${rw.rewrapped ? `${rw.keys} key(s) under ${rw.kekId}, ${rw.retired} old KEK(s) destroyed` : 'not done (fixed key)'}`}`);
    ctx.out.line(`last key export: ${status.lastExportAt === null ? 'never' : schoolTime(status.lastExportAt, zone)}`);
    for (const w of json.warnings) ctx.out.line(`  - ${w.subject}${w.value === null ? '' : ` (${w.value})`}: ${w.advice}`);
  });
};

/** `keys export --to FILE`, `keys import --from FILE [--recover]`, `keys status` */
export const keys: Command = {
  name: 'keys',
  summary: "Back up the per-person keys under a passphrase, restore them, or see where they stand",
  usage: USAGE,
  options: { to: { type: 'string' }, from: { type: 'string' }, 'passphrase-file': { type: 'string' }, recover: { type: 'boolean' } },
  needsStore: true,
  run: async (ctx, args) => {
    switch (args.positionals[0]) {
      case 'export':
        return exportCommand(ctx, args);
      case 'import':
        return importCommand(ctx, args);
      case 'status':
        return statusCommand(ctx);
      default:
        throw usageError('say export, import or status', USAGE);
    }
  },
};
