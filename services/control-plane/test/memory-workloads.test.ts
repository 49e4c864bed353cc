/** The memory workloads through the service: a kernbench preset with overrides, and mem-pressure with reclaim. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report, TimeSeries } from '@numasim/shared';
import type { BuiltApp } from '@numasim/control-plane';
import { finished, makeApp } from './helpers.js';

describe('memory workloads through the HTTP API', () => {
  let b: BuiltApp;
  beforeAll(async () => {
    b = await makeApp();
  });
  afterAll(async () => {
    await b.shutdown();
  });

  it('runs numaq-16-kernbench with overrides to the end of its build, with memory figures and a per-zone time series', async () => {
    const res = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { preset: 'numaq-16-kernbench', set: ['jobs=16', 'treePages=200', 'lru=2.5-zone'] } });
    expect(res.statusCode).toBe(202);
    const id = res.json().id as string;
    const view = await finished(b, id, 60_000);
    expect(view.status).toBe('succeeded');
    const report = (await b.app.inject({ method: 'GET', url: `/v1/runs/${id}/report` })).json() as Report;
    expect(report.workload.kind).toBe('kernbench');
    if (report.workload.kind !== 'kernbench') return;
    expect(report.workload.jobsCompleted).toBe(16);
    expect(report.workload.completionNs).not.toBeNull();
    expect(report.run.simulatedNs).toBeLessThan(report.config.durationNs);
    expect(report.locks.some((l) => l.class === 'zone->lru_lock' && l.acquisitions > 0)).toBe(true);
    expect(report.memory?.reclaim).toBeDefined();
    const series = (await b.app.inject({ method: 'GET', url: `/v1/runs/${id}/timeseries` })).json() as TimeSeries;
    expect(series.zones?.length).toBe(report.memory!.zones.length);
  });

  it('runs mem-pressure: reclaim shows up in the report', async () => {
    const workload = { kind: 'mem-pressure', nodes: 2, cpusPerNode: 2, memPerNodeMiB: 64, layout: 'x86_64', filePages: 60_000, readsPerProcess: 64, durationNs: 200_000_000 };
    const res = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { workload } });
    expect(res.statusCode).toBe(202);
    const view = await finished(b, res.json().id as string, 60_000);
    expect(view.status).toBe('succeeded');
    const report = (await b.app.inject({ method: 'GET', url: `/v1/runs/${view.id}/report` })).json() as Report;
    expect(report.workload.kind).toBe('mem-pressure');
    expect(report.memory!.reclaim!.pagesReclaimed).toBeGreaterThan(0);
  });

  it('refuses a kernbench field with a wrong value, naming the field', async () => {
    const res = await b.app.inject({ method: 'POST', url: '/v1/runs', payload: { preset: 'numaq-16-kernbench', set: ['parallelJobs=0'] } });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('parallelJobs');
  });
});
