import { afterAll, describe, expect, it } from 'vitest';
import { getPreset, resolveWorkload, type LockReport, type Report } from '@numasim/shared';
import { closeDefaultNodePool, runWorkloadPlaced, runWorkloadWithSeries, type RunOutput } from '@numasim/node-sim';

// remoteOps=direct for the work that still travels as a message (remote-ops.ts): reclaim's scans of
// another node's lists and 2.5's pagevec drains. The kernel's holder has no round trip in its hold.

afterAll(() => closeDefaultNodePool());

const stable = (o: RunOutput) =>
  JSON.stringify({ report: { ...o.report, engine: { ...o.report.engine, wallSeconds: 0, eventsPerSecond: 0 }, config: { ...o.report.config, placement: undefined } }, series: o.series });

// 2.4's single kswapd (node 0's) balances every node: three scans in four are of another node's lists.
const reclaim = (sets: string[], placement = 'inline') =>
  resolveWorkload(getPreset('numaq-16-mem-pressure').workload, ['durationNs=1000000000', 'sampleEveryNs=250000000', 'kswapd=global', ...sets, `placement=${placement}`]);

const caller = (r: Report, lock: string, name: string) => {
  const l = r.locks.find((x) => x.name === lock);
  const c = l?.callers.find((x) => x.name === name);
  if (!c) throw new Error(`no caller ${name} of ${lock}`);
  return c;
};

/** Mean hold over every instance of a lock class. */
const classHoldNs = (r: Report, cls: string) => {
  const ls: LockReport[] = r.locks.filter((x) => x.class === cls);
  if (ls.length === 0) throw new Error(`no lock of class ${cls}`);
  return ls.reduce((s, l) => s + l.holdTotalNs, 0) / ls.reduce((s, l) => s + l.acquisitions, 0);
};

describe('remoteOps=direct: a scan of another node\'s lists', () => {
  const message = runWorkloadWithSeries(reclaim(['remoteOps=message']));
  const direct = runWorkloadWithSeries(reclaim(['remoteOps=direct']));
  const hop = message.report.config.costs.lineRemoteNs;

  it('holds pagemap_lru_lock for the scan from the grant, not for a round trip and then the scan', () => {
    const m = caller(message.report, 'pagemap_lru_lock', 'refill_inactive');
    const d = caller(direct.report, 'pagemap_lru_lock', 'refill_inactive');
    expect(d.acquisitions).toBeGreaterThan(20);
    // Message model: two hops, then the scan. Direct: the longer of the two, so three scans in four save
    // at least the shorter one — more than a hop on the mean.
    expect(d.holdMeanNs).toBeLessThan(m.holdMeanNs - hop);
    // The model cannot release before the answer says the scan is over: a remote scan still holds for the round trip at least.
    expect(d.holdMeanNs).toBeGreaterThan(0.75 * 2 * hop);
    // shrink_cache nests the batch's frees (posted under direct) in its hold: it falls too.
    expect(caller(direct.report, 'pagemap_lru_lock', 'shrink_cache').holdMeanNs).toBeLessThan(caller(message.report, 'pagemap_lru_lock', 'shrink_cache').holdMeanNs);
  });

  it('keeps every node\'s lists consistent (debug invariants) and gives the same bytes inline and packed:2', async () => {
    const prev = process.env.NUMASIM_DEBUG;
    process.env.NUMASIM_DEBUG = '1';
    try {
      const inline = runWorkloadWithSeries(reclaim(['remoteOps=direct']));
      expect(stable(inline)).toBe(stable(direct));
      expect(stable(await runWorkloadPlaced(reclaim(['remoteOps=direct'], 'packed:2')))).toBe(stable(inline));
    } finally {
      if (prev === undefined) delete process.env.NUMASIM_DEBUG;
      else process.env.NUMASIM_DEBUG = prev;
    }
  }, 120_000);
});

describe('remoteOps=direct: a pagevec drain of another node\'s pages', () => {
  // Round-robin zonelists: three pages in four are on other nodes; each group of a node's pages is one hold of its zone->lru_lock.
  const drains = (mode: string, placement = 'inline') =>
    resolveWorkload(getPreset('numaq-16-page-fault').workload, ['durationNs=60000000', 'sampleEveryNs=20000000', 'pagevec=true', 'lru=2.5-zone', 'zonelist=round-robin', `remoteOps=${mode}`, `placement=${placement}`]);
  const message = runWorkloadWithSeries(drains('message'));
  const direct = runWorkloadWithSeries(drains('direct'));

  it('posts the pages\' moves: the hold is the CPU\'s own accesses, no round trip', () => {
    const hop = message.report.config.costs.lineRemoteNs;
    expect(classHoldNs(direct.report, 'zone->lru_lock')).toBeLessThan(classHoldNs(message.report, 'zone->lru_lock') - hop);
  });

  it('gives the same bytes inline and packed:2 (debug invariants on)', async () => {
    const prev = process.env.NUMASIM_DEBUG;
    process.env.NUMASIM_DEBUG = '1';
    try {
      expect(stable(await runWorkloadPlaced(drains('direct', 'packed:2')))).toBe(stable(runWorkloadWithSeries(drains('direct'))));
    } finally {
      if (prev === undefined) delete process.env.NUMASIM_DEBUG;
      else process.env.NUMASIM_DEBUG = prev;
    }
  }, 120_000);
});
