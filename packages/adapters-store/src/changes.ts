/** A counter bumped whenever the log may have grown, which followers can wait on without losing a wake-up. */

/** Bumped by appends (and by LISTEN/NOTIFY for other processes); followers wait for it to move. */
export class ChangeSignal {
  private count = 0;
  private readonly waiters = new Set<() => void>();

  /** How many times the log may have grown so far; read it before reading, then wait for it to move. */
  get version(): number {
    return this.count;
  }

  /** Says the log may have grown: wakes every waiter. */
  bump(): void {
    this.count += 1;
    for (const w of [...this.waiters]) w();
  }

  /**
   * Resolves when the version is no longer `seen`, after `ms` (a polling fallback), or when `cancel`
   * resolves, whichever comes first. The timer does not keep the process alive.
   */
  waitBeyond(seen: number, ms: number, cancel: Promise<void>): Promise<void> {
    if (this.count !== seen) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      this.waiters.add(done);
      void cancel.then(done);
    });
  }
}
