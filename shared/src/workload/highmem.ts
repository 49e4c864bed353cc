/**
 * The highmem and address-space knobs of the memory workloads (issue #4; docs/SOURCES.md#kmap,
 * #pte-highmem, #text-replication): how the kernel maps highmem pages it must touch (`kmap`), and the size of the persistent
 * kmap pool. Flat keys, so `--set kmap=per-mm` and `--set pkmapEntries=4096` work; spread into
 * every memory workload through vm.ts; the kmap callers and kernel text fetches are in the workloads
 * built on the kernbench model (kernbench, file-read, mem-pressure).
 *
 * Kernel text (docs/SOURCES.md#text-replication): `text` says where CPUs fetch kernel instructions from — node 0's
 * memory (2.4 on NUMA-Q) or a copy per node (Dave Hansen's x86 RFC, ia64); `textSizeKiB` (A: 2 MiB,
 * one large page, for a 2.4 bzImage's text) and `textMissLines` (A: 4 lines of 32 bytes per kernel
 * entry that miss every cache, the quad's remote cache included — Sequent's 90–98% local accesses
 * say most do not; fork, exec and exit are long paths and fetch 8 times that).
 */
import { Type } from '@sinclair/typebox';
import type { FieldIssue } from '../errors.js';

export const KMAP_MODES = ['global', 'atomic', 'per-mm', 'per-task'] as const;
export const TEXT_MODES = ['node0', 'replicated'] as const;
export const PTE_MODES = ['lowmem', 'highmem', 'highmem-kmap', 'ukva'] as const;
export type PteMode = (typeof PTE_MODES)[number];
export type TextMode = (typeof TEXT_MODES)[number];
export type KmapMode = (typeof KMAP_MODES)[number];

/** LAST_PKMAP of i386 2.4 without PAE (docs/SOURCES.md#kmap: 1024, 512 with PAE). */
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
  pte: Type.Union(
    PTE_MODES.map((v) => Type.Literal(v)),
    {
      default: 'lowmem',
      description:
        'where page tables live: "lowmem" — ZONE_NORMAL (2.4; on i386-numaq node 0 for every process), reached directly; ' +
        '"highmem" — 2.5\'s highpte: node-local highmem, every access through kmap_atomic (KM_PTE0, KM_PTE1 for fork\'s source), an invlpg and a TLB refill each; ' +
        '"highmem-kmap" — the 2.4 -aa pte-highmem patch: node-local highmem reached through the persistent kmap pool (kmap_high/kunmap_high under kmap_lock); ' +
        '"ukva" — node-local highmem permanently mapped in the mm\'s UKVA: direct in context (out-of-context walks would kmap_atomic)',
    },
  ),
  text: Type.Union(
    TEXT_MODES.map((v) => Type.Literal(v)),
    {
      default: 'node0',
      description:
        'kernel text: "node0" — every CPU fetches kernel instructions from node 0\'s memory (2.4 on NUMA-Q); "replicated" — a copy per node allocated at boot, ' +
        'a context switch to a task whose mm points at another node\'s copy rewrites the text mappings (one TLB flush per 2 MiB page)',
    },
  ),
  kswapdKmapPool: Type.Boolean({
    default: false,
    description:
      'kswapd keeps its spare user address space (it has no user mm) as a large private kmap pool: its out-of-context page-table accesses in try_to_unmap ' +
      'map highmem page tables there, mappings kept, instead of a kmap_atomic and an invlpg per pte (the LSE minutes\' idea; highmem or ukva page tables)',
  }),
  bounce: Type.Boolean({
    default: false,
    description:
      'block I/O into a highmem page goes through a ZONE_NORMAL bounce page (2.4 drivers that cannot DMA above 896 MiB: create_bounce, ' +
      'then bounce_end_io_read copies through kmap_atomic); false: the device reaches highmem directly (the 2.4.20+ highmem-I/O patches)',
  }),
  textSizeKiB: Type.Integer({ minimum: 4, maximum: 65_536, default: 2048, description: 'size of the kernel text, KiB (each replica costs that much memory on its node)' }),
  textMissLines: Type.Integer({ minimum: 0, maximum: 4096, default: 4, description: 'cache lines of kernel text a kernel entry (fault, system call) fetches from memory; fork, exec and exit fetch 8 times as many' }),
};

export interface HighmemConfig {
  kmap: KmapMode;
  pkmapEntries: number;
  pte: PteMode;
  text: TextMode;
  kswapdKmapPool: boolean;
  bounce: boolean;
  textSizeKiB: number;
  textMissLines: number;
}

/** What the schema cannot say: the pool size is a power of two (PKMAP_NR masks with LAST_PKMAP − 1). */
export function highmemIssues(c: HighmemConfig): FieldIssue[] {
  const n = c.pkmapEntries;
  return (n & (n - 1)) === 0 ? [] : [{ path: 'pkmapEntries', reason: `must be a power of two (LAST_PKMAP; got ${n})` }];
}
