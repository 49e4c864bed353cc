import { afterAll, describe, expect, it } from 'vitest';
import { EXEC_READS_DEFAULT, isNumasimError, resolveWorkload, type KmapReport, type NumasimError, type Report } from '@numasim/shared';
import { runWorkload } from '../src/index.js';
import { closeDefaultNodePool, runWorkloadPlaced, runWorkloadWithSeries, type RunOutput } from '@numasim/node-sim';

// Two NUMA-Q quads of 2 CPUs: node 0 has lowmem and 128 MiB of highmem, node 1 only highmem.
const reads = { kind: 'file-read', machine: 'numaq-16', nodes: 2, cpusPerNode: 2, memPerNodeMiB: 1024, filePages: 2000, userNsPerRead: 20_000, durationNs: 20_000_000 };
const build = {
  kind: 'kernbench',
  machine: 'numaq-16',
  jobs: 16,
  treePages: 300,
  processes: [
    { name: 'cpp', anonPages: 20, fileFaults: 5, readPages: 40, writePages: 0, cpuNs: 1_000_000 },
    { name: 'as', anonPages: 10, fileFaults: 5, readPages: 0, writePages: 2, cpuNs: 500_000 },
  ],
};
const run = (w: object, sets: string[]) => runWorkload(resolveWorkload(w, sets), { checkInvariants: true });
const kmapOf = (r: Report): KmapReport => r.memory!.kmap!;
const caller = (k: KmapReport, name: string) => k.callers.find((c) => c.caller === name)!;
const stable = (r: Report) => JSON.stringify({ ...r, engine: { ...r.engine, wallSeconds: 0, eventsPerSecond: 0 } });
const ipiNs = 2000;
/** A run's report and series with the wall clock and the placement left out (they are all that may differ between placements). */
const placed = (o: RunOutput) =>
  JSON.stringify({ report: { ...o.report, engine: { ...o.report.engine, wallSeconds: 0, eventsPerSecond: 0 }, config: { ...o.report.config, placement: undefined } }, series: o.series });

afterAll(() => closeDefaultNodePool());

describe('kmap modes', () => {
  it('global: every wrap of the pool is one flush_tlb_all, an IPI to every other CPU', () => {
    const r = run(reads, ['kmap=global', 'pkmapEntries=16']);
    const k = kmapOf(r);
    expect(k.poolWraps).toBeGreaterThan(5);
    expect(k.globalFlushes).toBe(k.poolWraps);
    expect(k.mmFlushes + k.localFlushes).toBe(0);
    expect(k.ipisSent).toBe(k.globalFlushes * (r.machine.cpus - 1));
    // The IPIs still in flight at the end have not been taken yet.
    expect(k.ipiStolenNs).toBeLessThanOrEqual(k.ipisSent * ipiNs);
    expect(k.ipiStolenNs).toBeGreaterThanOrEqual((k.ipisSent - (r.machine.cpus - 1)) * ipiNs);
    const kl = r.locks.find((l) => l.name === 'kmap_lock')!;
    expect(kl.homeNode).toBe(0);
    const read = caller(k, 'file_read_actor');
    expect(read.kmapHigh).toBeGreaterThan(0);
    expect(read.kmapAtomic).toBe(0);
    // kmap_high and kunmap_high each take the lock; a kmap_high that slept took it once more
    // (CPUs still inside kmap_high when the run stops hold it without a counted call yet).
    const byCaller = (n: string) => kl.callers.find((c) => c.name === n)?.acquisitions ?? 0;
    expect(byCaller('kmap_high')).toBeGreaterThanOrEqual(read.kmapHigh + k.sleeps);
    expect(byCaller('kmap_high')).toBeLessThanOrEqual(read.kmapHigh + k.sleeps + r.machine.cpus);
    expect(byCaller('kunmap_high')).toBeGreaterThanOrEqual(read.kmapHigh - r.machine.cpus);
  });

  it('a bigger pool wraps less often and so flushes less', () => {
    const small = kmapOf(run(reads, ['kmap=global', 'pkmapEntries=16']));
    const big = kmapOf(run(reads, ['kmap=global', 'pkmapEntries=256']));
    expect(big.globalFlushes).toBeLessThan(small.globalFlushes);
    expect(big.ipisSent).toBeLessThan(small.ipisSent);
  });

  it('a full pool puts kmap_high to sleep on pkmap_map_wait; kunmap_high wakes the sleepers and the readers go on', () => {
    // 2 slots for 8 readers: most kmap_high calls find every slot taken.
    const r = run({ ...reads, cpusPerNode: 4 }, ['kmap=global', 'pkmapEntries=2']);
    const k = kmapOf(r);
    expect(k.sleeps).toBeGreaterThan(0);
    expect(k.sleepWaitNs.max).toBeGreaterThan(0);
    expect(caller(k, 'file_read_actor').kmapHigh).toBeGreaterThan(100); // the readers go on
  });

  it('remoteOps=direct: the pool\'s replicas wrap, flush and put sleepers to sleep as the one pool does, on every placement', async () => {
    // Every node works on its own replica; the operations reach the others in the lock's order.
    const wraps = run(reads, ['kmap=global', 'pkmapEntries=16', 'remoteOps=direct']);
    const kw = kmapOf(wraps);
    expect(kw.poolWraps).toBeGreaterThan(5);
    expect(kw.ipisSent).toBe(kw.globalFlushes * (wraps.machine.cpus - 1));
    // The same kmap_high from a quad-1 CPU no longer waits for node 0's answer inside the lock.
    const msg = run(reads, ['kmap=global', 'pkmapEntries=16']);
    expect(wraps.locks.find((l) => l.name === 'kmap_lock')!.holdMeanNs).toBeLessThan(msg.locks.find((l) => l.name === 'kmap_lock')!.holdMeanNs);
    const full = { ...reads, cpusPerNode: 4 };
    const sets = ['kmap=global', 'pkmapEntries=2', 'remoteOps=direct'];
    const k = kmapOf(run(full, sets));
    expect(k.sleeps).toBeGreaterThan(0);
    expect(caller(k, 'file_read_actor').kmapHigh).toBeGreaterThan(100);
    const inline = placed(runWorkloadWithSeries(resolveWorkload(full, [...sets, 'placement=inline'])));
    for (const placement of ['threads', 'packed:2']) expect(placed(await runWorkloadPlaced(resolveWorkload(full, [...sets, `placement=${placement}`])))).toBe(inline);
  }, 60_000);

  it('per-mm: a wrap flushes only the CPUs that run the mm, under the mm\'s own lock', () => {
    const r = run({ ...reads, cpusPerNode: 4 }, ['kmap=per-mm', 'pkmapEntries=16', 'cpusPerMm=2']);
    const k = kmapOf(r);
    expect(k.pools).toBe(4);
    expect(k.mmFlushes).toBeGreaterThan(5);
    expect(k.globalFlushes).toBe(0);
    expect(k.ipisSent).toBe(k.mmFlushes * 1); // the mm's other thread, never the 6 other CPUs
    expect(r.locks.find((l) => l.name === 'kmap_lock')).toBeUndefined();
    const mmLocks = r.locks.filter((l) => l.class === 'mm->kmap_lock');
    expect(mmLocks).toHaveLength(4);
    // mm0 runs on CPUs 0–1 (node 0), mm2 on CPUs 4–5 (node 1): each lock lives with its mm.
    expect(mmLocks.map((l) => l.homeNode)).toEqual([0, 0, 1, 1]);
  });

  it('per-task: no lock, no IPI; only local flushes, and a PGD page per task', () => {
    const r = run(reads, ['kmap=per-task', 'pkmapEntries=16']);
    const k = kmapOf(r);
    expect(k.localFlushes).toBeGreaterThan(0);
    expect(k.globalFlushes + k.mmFlushes + k.ipisSent + k.sleeps).toBe(0);
    expect(k.pgdPages).toBeGreaterThanOrEqual(r.machine.cpus);
    expect(r.locks.some((l) => l.class.includes('kmap_lock'))).toBe(false);
  });

  it('per-task: threads of one mm taking turns on a CPU reload cr3 at every switch (a PGD per task); per-mm threads do not', () => {
    const task = kmapOf(run(reads, ['kmap=per-task', 'threadsPerCpu=3']));
    expect(task.threadSwitches).toBeGreaterThan(100);
    expect(task.pgdSwitches).toBe(task.threadSwitches);
    expect(task.pgdPages).toBeGreaterThanOrEqual(3 * 4);
    const mm = kmapOf(run(reads, ['kmap=per-mm', 'threadsPerCpu=3']));
    expect(mm.threadSwitches).toBeGreaterThan(100);
    expect(mm.pgdSwitches).toBe(0);
    expect(mm.pgdPages).toBe(0);
  });

  it('atomic kmap never takes a lock and never flushes another CPU', () => {
    const r = run(reads, ['kmap=atomic']);
    const k = kmapOf(r);
    const read = caller(k, 'file_read_actor');
    expect(read.kmapAtomic).toBeGreaterThan(100);
    expect(read.kmapHigh).toBe(0);
    expect(k.poolWraps + k.ipisSent + k.sleeps).toBe(0);
    expect(r.locks.some((l) => l.class.includes('kmap_lock'))).toBe(false);
    expect(r.locks.every((l) => l.callers.every((c) => c.name !== 'kmap_high' && c.name !== 'kunmap_high'))).toBe(true);
  });

  it('reads are cheaper with any mode that drops the global kmap_lock', () => {
    const perSec = (r: Report) => (r.workload.kind === 'file-read' ? r.workload.readsPerSecond : 0);
    const wide = { ...reads, cpusPerNode: 4 };
    const global = perSec(run(wide, ['kmap=global']));
    for (const mode of ['atomic', 'per-mm', 'per-task']) expect(perSec(run(wide, [`kmap=${mode}`]))).toBeGreaterThan(global);
  });

  it('kernbench: copy_strings kmaps once per string of every exec, file reads and writes once per page', () => {
    const r = run(build, ['kmap=global', 'execStringKmaps=20', 'execArgPages=2']);
    const w = r.workload.kind === 'kernbench' ? r.workload : undefined;
    const k = kmapOf(r);
    expect(caller(k, 'copy_strings').kmapHigh).toBe(w!.processes * 20);
    // Two argument pages per exec: the first string on each maps it, the others reuse page->virtual.
    expect(caller(k, 'copy_strings').reused).toBeGreaterThanOrEqual(w!.processes * 18);
    // read()'s pages, and the kernel_reads of every exec (EXEC_READS_DEFAULT each).
    expect(caller(k, 'file_read_actor').kmapHigh).toBe(16 * 40 + w!.processes * EXEC_READS_DEFAULT);
    expect(caller(k, 'generic_file_write').kmapHigh).toBe(w!.pageCacheWrites);
    expect(w!.jobsCompleted).toBe(16);
    // x86_64 has no highmem: the same calls are page_address, no kmap at all.
    const flat = kmapOf(run(build, ['kmap=global', 'layout=x86_64', 'memPerNodeMiB=1024', 'execStringKmaps=20']));
    expect(caller(flat, 'copy_strings').lowmem).toBe(w!.processes * 20);
    expect(flat.callers.reduce((s, c) => s + c.kmapHigh, 0)).toBe(0);
  });

  it('keeps the memory and pool invariants under random combinations of the highmem knobs', () => {
    // A small seeded generator (mulberry32): the combinations are the same on every run.
    let state = 0x4b4d4150;
    const next = () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
    for (let k = 0; k < 8; k++) {
      const sets = [
        `kmap=${pick(['global', 'atomic', 'per-mm', 'per-task'])}`,
        `pkmapEntries=${pick([2, 4, 16, 1024])}`,
        `pte=${pick(['lowmem', 'highmem', 'ukva'])}`,
        `text=${pick(['node0', 'replicated'])}`,
        `lru=${pick(['2.4', 'rmap', '2.5-zone'])}`,
        `pagevec=${pick([true, false])}`,
        `execStringKmaps=${pick([0, 8, 64])}`,
        `seed=${k + 1}`,
      ];
      const r = run({ ...build, jobs: 8 }, sets); // checkInvariants: buddy, LRU and every kmap pool
      const w = r.workload.kind === 'kernbench' ? r.workload : undefined;
      expect(w!.jobsCompleted, sets.join(' ')).toBe(8);
      const replicas = r.memory!.text!.perNode.reduce((s, p) => s + p.replicaPages, 0);
      const inUse = r.memory!.zones.reduce((s, z) => s + z.pages - z.freePages, 0);
      expect(inUse, sets.join(' ')).toBe(300 + w!.pageCacheWrites + replicas);
    }
  });

  it('is deterministic for a seed in every mode', () => {
    for (const mode of ['global', 'per-mm', 'per-task', 'atomic']) {
      expect(stable(run(reads, [`kmap=${mode}`, 'pkmapEntries=16', 'cpusPerMm=2']))).toBe(stable(run(reads, [`kmap=${mode}`, 'pkmapEntries=16', 'cpusPerMm=2'])));
    }
  });

  it('rejects a pool size that is not a power of two, and an unknown mode, naming the field', () => {
    const err = (sets: string[]): NumasimError => {
      try {
        resolveWorkload(reads, sets);
      } catch (e) {
        if (isNumasimError(e)) return e;
      }
      throw new Error('expected a NumasimError');
    };
    const size = err(['pkmapEntries=1000']);
    expect(size.code).toBe('NUMASIM_ERR_WORKLOAD_INCONSISTENT');
    expect(size.issues.map((i) => i.path)).toEqual(['pkmapEntries']);
    const mode = err(['kmap=private']);
    expect(mode.code).toBe('NUMASIM_ERR_WORKLOAD_INVALID');
    expect(mode.issues.map((i) => i.path)).toContain('kmap');
    expect(err(['cpusPerMm=9']).issues.map((i) => i.path)).toEqual(['cpusPerMm']);
  });
});
