/** Fault drills inside one process: a worker out of memory, a full store, a client that never reads. */
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { BuiltApp } from '@numasim/control-plane';
import type { RunGate } from '@numasim/worker';
import { finished, held, heldAtGate, makeApp, makeGatedApp, small } from './helpers.js';

let current: BuiltApp | undefined;
let releaseAfter: RunGate | undefined;
afterEach(async () => {
  releaseAfter?.release();
  releaseAfter = undefined;
  await current?.shutdown();
  current = undefined;
});

describe('fault drills', () => {
  it('a run that exhausts its worker\'s heap fails alone, with a clear error, and the next run succeeds', async () => {
    const b = (current = await makeApp({ workerHeapMb: 64, concurrency: 1 }));
    // 4096 locks sampled every 1 µs-interval slice for 10 000 samples: a time series far beyond 64 MiB.
    const hog = { ...small, nodes: 1, cpusPerNode: 8, locks: 4096, durationNs: 1_000_000_000, sampleEveryNs: 100_000 };
    const r = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: hog } });
    expect(r.statusCode).toBe(202);
    const view = await finished(b, r.json().id, 60_000);
    expect(view.status).toBe('failed');
    expect(view.error.code).toBe('NUMASIM_ERR_RUN_WORKER_FAILED');
    expect(view.error.message).toMatch(/out of memory .*NUMASIM_WORKER_HEAP_MB/);
    expect((await b.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const next = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: small } });
    expect((await finished(b, next.json().id)).status).toBe('succeeded');
  });

  it('a full store answers 503 with a code and keeps nothing half-written', async () => {
    const b = (current = await makeApp());
    const before = (await b.app.inject({ method: 'GET', url: '/v1/runs' })).json().runs.length;
    // The database may not grow by a single page: what a full disk looks like to SQLite.
    const pages = b.services.db.pragma('page_count', { simple: true }) as number;
    b.services.db.pragma(`max_page_count = ${pages}`);
    let r;
    for (let i = 0; i < 50; i++) {
      r = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: { ...small, seed: i + 1 } } });
      if (r.statusCode !== 202) break;
    }
    expect(r!.statusCode).toBe(503);
    expect(r!.json().code).toBe('NUMASIM_ERR_API_STORE_UNAVAILABLE');
    expect(r!.headers['retry-after']).toBeDefined();
    // Whatever was accepted before the store filled up is whole: every listed run has its transition.
    const runs = (await b.app.inject({ method: 'GET', url: '/v1/runs?limit=500' })).json().runs;
    expect(runs.length).toBeGreaterThanOrEqual(before);
    for (const run of runs) {
      const v = (await b.app.inject({ method: 'GET', url: `/v1/runs/${run.id}` })).json();
      expect(v.transitions[0].status).toBe('queued');
    }
    b.services.db.pragma('max_page_count = 1073741823');
  });

  it('a client that never reads its event stream gets no more progress events once 64 KiB wait for it', async () => {
    const { b, gate } = await makeGatedApp({ concurrency: 1 });
    current = b;
    releaseAfter = gate;
    const { id } = (await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: held } })).json();
    await heldAtGate(b, id);
    const { streamRun } = await import('../dist/http/sse.js');
    // A response whose socket buffer we control: what a stuck client looks like from the server.
    const written: string[] = [];
    const res = Object.assign(new EventEmitter(), {
      writableLength: 0,
      writeHead: () => undefined,
      write: (chunk: string) => {
        written.push(chunk);
        res.writableLength += chunk.length;
        return true;
      },
      end: () => undefined,
    });
    const reply = { hijack: () => undefined, raw: res };
    const req = { raw: new EventEmitter() };
    streamRun(b.services, b.services.repo.get(id)!, req as never, reply as never);
    const progress = (n: number) => b.services.executor.emit('run', { type: 'progress', id, progress: { simulatedNs: n, durationNs: 8e9, events: n } });
    for (let i = 0; i < 10_000; i++) progress(i);
    const progressWritten = written.filter((w) => w.startsWith('event: progress')).length;
    expect(progressWritten).toBeGreaterThan(10);
    expect(progressWritten).toBeLessThan(10_000);
    expect(res.writableLength).toBeLessThan(64 * 1024 + 1024); // the allowance plus one event
    // Status changes still go out, and the stream ends with the run.
    await b.app.inject({ method: 'POST', url: `/v1/runs/${id}/cancel` });
    await finished(b, id);
    expect(written.at(-1)).toMatch(/^event: end/);
  });
});
