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
