/**
 * A child process that races for a store folder's lock when told (IPC), holds it until told to let go,
 * and reports what it got. Run by lockRace.ts under `node --import tsx`.
 */
import { lockFolder, type LockStrategy } from '../../../packages/adapters-store/src/folderLock.js';

type Command =
  | { readonly op: 'take'; readonly round: number; readonly folder: string; readonly strategy: LockStrategy }
  | { readonly op: 'release'; readonly round: number }
  | { readonly op: 'exit' };

let release: (() => Promise<void>) | null = null;

const reply = (m: unknown): void => {
  process.send?.(m);
};

process.on('message', (m: Command) => {
  void (async () => {
    switch (m.op) {
      case 'take':
        try {
          release = await lockFolder(m.folder, { strategy: m.strategy });
          reply({ round: m.round, pid: process.pid, got: true, error: null });
        } catch (e) {
          reply({ round: m.round, pid: process.pid, got: false, error: e instanceof Error ? e.message : String(e) });
        }
        return;
      case 'release':
        await release?.();
        release = null;
        reply({ round: m.round, pid: process.pid, released: true });
        return;
      case 'exit':
        await release?.();
        process.exit(0);
    }
  })();
});
reply({ ready: true, pid: process.pid });
