/**
 * Status views of queued and running runs are cached between changes: every change to the run
 * (progress, a transition, deletion) must show in the next GET, never a stale view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '@numasim/control-plane';
import type { RunGate } from '@numasim/worker';
import { GATE_NS, held, heldAtGate, makeGatedApp, waitFor } from './helpers.js';

describe('views of unfinished runs', () => {
  let b: BuiltApp;
  let gate: RunGate;
  beforeAll(async () => {
    ({ b, gate } = await makeGatedApp({ concurrency: 1 }));
  });
  afterAll(async () => {
    gate.release();
    await b.shutdown();
  });
  const view = async (id: string) => (await b.app.inject({ method: 'GET', url: `/v1/runs/${id}` })).json();

  it('follow progress and transitions at once', async () => {
    const run = (await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: held } })).json();
    const queued = (await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload: { ...held, seed: 2 } } })).json();
    expect((await view(queued.id)).status).toBe('queued');
    // Views taken before the run reaches the gate are cached; the progress it reports there must replace them.
    await view(run.id);
    const atGate = await heldAtGate(b, run.id);
    expect(atGate.progress.simulatedNs).toBeGreaterThanOrEqual(GATE_NS);
    expect(atGate.progress.events).toBeGreaterThan(0);
    // A cancellation shows in the very next request, for the running run and for the queued one.
    expect((await b.app.inject({ method: 'POST', url: `/v1/runs/${queued.id}/cancel` })).statusCode).toBe(202);
    expect((await view(queued.id)).status).toBe('cancelled');
    expect((await b.app.inject({ method: 'POST', url: `/v1/runs/${run.id}/cancel` })).statusCode).toBe(202);
    const after = await waitFor(async () => {
      const v = await view(run.id);
      return v.finished ? v : undefined;
    });
    expect(after.status).toBe('cancelled');
    expect(after.transitions.map((t: { status: string }) => t.status)).toEqual(['queued', 'running', 'cancelled']);
  });
});
