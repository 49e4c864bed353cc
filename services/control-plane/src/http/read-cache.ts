/**
 * Serialized answers about finished runs, kept in memory: a finished run's view and report never
 * change (only deletion ends them), so reading them again needs neither the store nor JSON work.
 * Least recently used entries go first once the cache holds `maxBytes` of text.
 */
export class ReadCache {
  private readonly entries = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): string | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      // Refresh its place: Map iteration order is insertion order.
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: string): void {
    if (value.length > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, value);
    this.bytes += value.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }

  delete(key: string): void {
    const v = this.entries.get(key);
    if (v === undefined) return;
    this.entries.delete(key);
    this.bytes -= v.length;
  }

  /** Forgets everything about one run. */
  forgetRun(id: string): void {
    for (const kind of ['view', 'report', 'series']) this.delete(`${kind}:${id}`);
  }
}

/**
 * Serialized views of runs that have not finished (queued, running), kept between changes: a
 * view is dropped when the store changes its run (a transition, stored progress, deletion) or the
 * executor publishes an event about it (live progress, a status change), and `maxAgeMs` after it
 * was built at the latest, so its ETA keeps moving even if progress stalls. A status poll of a
 * running run then costs a lookup instead of two queries and a serialization.
 */
export class LiveViewCache {
  private readonly entries = new Map<string, { json: string; at: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(id: string): string | undefined {
    const e = this.entries.get(id);
    if (e === undefined) return undefined;
    if (this.now() - e.at > this.maxAgeMs) {
      this.entries.delete(id);
      return undefined;
    }
    return e.json;
  }

  set(id: string, json: string): void {
    this.entries.delete(id);
    this.entries.set(id, { json, at: this.now() });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** The run changed: its next view is built afresh. */
  invalidate(id: string): void {
    this.entries.delete(id);
  }
}
