/** locks/local-ticket.ts: the ticket lock without protocol events hands off FIFO and records lockmeter's figures. */
import { describe, expect, it } from 'vitest';
import { resolveWorkload, type MachineConfig } from '@numasim/shared';
import { Topology } from '../src/machine/topology.js';
import { LockStats } from '../src/locks/lock-stats.js';
import { LocalTicketLocks } from '../src/locks/local-ticket.js';

const machine = resolveWorkload({ kind: 'lockbench', nodes: 2, cpusPerNode: 4 }) as unknown as MachineConfig;
const handoff = { sameCpu: 0, sameNode: 60, remote: 130 };

describe('LocalTicketLocks', () => {
  it('grants in request order, each turn one line transfer after the release, and counts only queued acquisitions as contended', () => {
    const turns: [number, number][] = [];
    const stats = new LockStats(1, 1);
    const locks = new LocalTicketLocks(new Topology(machine), handoff, 1, stats, { lockTurn: (cpu, _lock, delay) => turns.push([cpu, delay]) });
    locks.acquire(0, 0, 0, 0); // free: CPU 0's turn at once (nobody held it before: no transfer)
    locks.acquire(5, 0, 0, 10); // node 1
    locks.acquire(1, 0, 0, 20); // node 0
    locks.acquire(2, 0, 0, 30);
    expect(turns).toEqual([[0, 0]]);
    locks.release(0, 0, 1000);
    expect(turns.at(-1)).toEqual([5, 130]); // FIFO: CPU 5 asked first, across the interconnect
    locks.release(5, 0, 2000);
    expect(turns.at(-1)).toEqual([1, 130]);
    locks.release(1, 0, 3000);
    expect(turns.at(-1)).toEqual([2, 60]); // same node
    locks.release(2, 0, 4000);
    expect(stats.acquisitions[0]).toBe(4);
    expect(stats.contentions[0]).toBe(3);
    // Waits: from the request to the turn.
    expect(stats.waitTotal[0]).toBe(1130 - 10 + (2130 - 20) + (3060 - 30));
    expect(stats.holdTotal[0]).toBe(1000 + (2000 - 1130) + (3000 - 2130) + (4000 - 3060));
  });
});
