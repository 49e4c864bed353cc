/**
 * The highmem and address-space knobs of the memory workloads (issue #4; ../shared/VM-REFERENCE.md
 * §3–§5): how the kernel maps highmem pages it must touch (`kmap`), and the size of the persistent
 * kmap pool. Flat keys, so `--set kmap=per-mm` and `--set pkmapEntries=4096` work; spread into
 * every memory workload through vm.ts.
 */
import { Type } from '@sinclair/typebox';
import type { FieldIssue } from '../errors.js';

export const KMAP_MODES = ['global', 'atomic', 'per-mm', 'per-task'] as const;
export type KmapMode = (typeof KMAP_MODES)[number];

/** LAST_PKMAP of i386 2.4 without PAE (VM-REFERENCE §3: 1024, 512 with PAE). */
export const LAST_PKMAP_DEFAULT = 1024;
export const PKMAP_ENTRIES_MAX = 1 << 16;

export const highmemProperties = {
  kmap: Type.Union(
    KMAP_MODES.map((v) => Type.Literal(v)),
    {
      default: 'global',
      description:
        'how kmap() maps a highmem page: "global" — the 2.4 persistent pool (one kmap_lock, flush_all_zero_pkmaps with a TLB-flush IPI to every CPU on wrap, sleeping on pkmap_map_wait when full); ' +
        '"atomic" — every caller uses a per-CPU kmap_atomic slot (one invlpg, no lock; hypothetical: 2.4 callers that may sleep could not); ' +
        '"per-mm" — a UKVA pool per address space, its own lock, a flush that reaches only the CPUs running that mm; ' +
        '"per-task" — a private window per task: no lock, only a local flush, and a PGD page per task',
    },
  ),
  pkmapEntries: Type.Integer({
    minimum: 2,
    maximum: PKMAP_ENTRIES_MAX,
    default: LAST_PKMAP_DEFAULT,
    description: 'LAST_PKMAP: slots of each persistent kmap pool (global, per-mm or per-task), a power of two; 1024 on i386, 512 with PAE',
  }),
};

export interface HighmemConfig {
  kmap: KmapMode;
  pkmapEntries: number;
}

/** What the schema cannot say: the pool size is a power of two (PKMAP_NR masks with LAST_PKMAP − 1). */
export function highmemIssues(c: HighmemConfig): FieldIssue[] {
  const n = c.pkmapEntries;
  return (n & (n - 1)) === 0 ? [] : [{ path: 'pkmapEntries', reason: `must be a power of two (LAST_PKMAP; got ${n})` }];
}
