/**
 * The locks of a model and the call sites that take them. Built once when the model is built,
 * read-only afterwards (configuration, like the topology). Lock ids and caller ids are dense
 * integers so per-lock state and statistics live in typed arrays.
 */
export class LockRegistry {
  readonly names: string[] = [];
  readonly classes: string[] = [];
  readonly homeNodes: number[] = [];
  /** Lock type for `perf lock contention`'s type column: undefined is a spinlock; 'rwsem' a read-write semaphore. */
  readonly types: ('rwsem' | undefined)[] = [];
  readonly callers: string[] = [];
  /** Per caller: 'R' when it takes rwsems shared (down_read), 'W' exclusive; undefined for spinlock call sites. */
  readonly callerModes: ('R' | 'W' | undefined)[] = [];
  private readonly callerIds = new Map<string, number>();
  private frozen = false;

  /** Declares a lock whose word lives in `homeNode`'s memory; returns its id. */
  addLock(name: string, lockClass: string, homeNode: number, type?: 'rwsem'): number {
    this.assertOpen();
    this.types.push(type);
    this.names.push(name);
    this.classes.push(lockClass);
    this.homeNodes.push(homeNode);
    return this.names.length - 1;
  }

  /** Declares (or finds) a call site, named as the kernel function that takes the lock. */
  caller(name: string, mode?: 'R' | 'W'): number {
    const known = this.callerIds.get(name);
    if (known !== undefined) return known;
    this.assertOpen();
    this.callers.push(name);
    this.callerModes.push(mode);
    this.callerIds.set(name, this.callers.length - 1);
    return this.callers.length - 1;
  }

  get lockCount(): number {
    return this.names.length;
  }

  get callerCount(): number {
    return this.callers.length;
  }

  /** After this, the registry cannot grow: statistics arrays are sized from it. */
  freeze(): this {
    this.frozen = true;
    return this;
  }

  private assertOpen(): void {
    if (this.frozen) throw new Error('lock registry is frozen: declare every lock and caller before the run');
  }
}
