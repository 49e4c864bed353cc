/**
 * deploy/grafana checked without Grafana: the JSON is what the typed sources say (dashboards.ts,
 * typed against Grafana 13's schema), uids are unique, every datasource reference is the
 * provisioned one, the datasource's timeInterval is Prometheus's scrape interval, every PromQL
 * expression parses, and every metric a panel or recording rule reads exists in a live scrape of
 * the service after a short lock run and a short memory run (or is a recording rule).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { buildApp, loadConfig, type BuiltApp } from '@numasim/control-plane';
import { DASHBOARDS, DATASOURCE_UID } from '../grafana/dashboards.js';

const grafanaDir = fileURLToPath(new URL('../grafana/', import.meta.url));
const promDir = fileURLToPath(new URL('../prometheus/', import.meta.url));
const read = (p: string) => readFileSync(p, 'utf8');

if (process.env.NUMASIM_WRITE_DASHBOARDS === '1') {
  for (const [name, d] of Object.entries(DASHBOARDS)) writeFileSync(join(grafanaDir, 'dashboards', `${name}.json`), `${JSON.stringify(d, null, 2)}\n`);
}

interface Target {
  expr: string;
  datasource?: { uid?: string };
}
interface PanelLike {
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
}

const dashboards = Object.keys(DASHBOARDS).map((name) => ({ name, json: JSON.parse(read(join(grafanaDir, 'dashboards', `${name}.json`))) }));
const panels = dashboards.flatMap((d) => (d.json.panels as PanelLike[]).map((p) => ({ dashboard: d.name, ...p })));
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${p.dashboard} / ${p.title}`, expr: t.expr })));

/** The recording rules' names and expressions (a small reader for our own rules file). */
function recordingRules(): { record: string; expr: string }[] {
  const lines = read(join(promDir, 'rules/recording.yml')).split('\n');
  const out: { record: string; expr: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^\s*- record: (\S+)/);
    if (!m) continue;
    const e = lines[i + 1].match(/^\s*expr: (.*)$/)!;
    let expr = e[1];
    if (expr === '|') {
      expr = '';
      const indent = lines[i + 2].search(/\S/);
      for (let j = i + 2; j < lines.length && lines[j].search(/\S/) >= indent && lines[j].trim() !== ''; j++) expr += `${lines[j].trim()} `;
    }
    out.push({ record: m[1], expr: expr.trim() });
  }
  return out;
}

/** Grafana's variables and macros replaced by values PromQL accepts. */
const substitute = (expr: string) => expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '1m').replace(/\$(\w+)/g, '.*');

function parse(expr: string): { errors: number; metrics: string[] } {
  const tree = parser.parse(substitute(expr));
  let errors = 0;
  const metrics: string[] = [];
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) errors++;
      if (n.name === 'VectorSelector') {
        const id = n.node.getChild('Identifier');
        if (id) metrics.push(substitute(expr).slice(id.from, id.to));
      }
    },
  });
  return { errors, metrics };
}

describe('deploy/grafana', () => {
  it('dashboards/*.json are the typed sources in dashboards.ts (npm run dashboards writes them)', () => {
    for (const [name, d] of Object.entries(DASHBOARDS)) {
      expect(read(join(grafanaDir, 'dashboards', `${name}.json`))).toBe(`${JSON.stringify(d, null, 2)}\n`);
    }
  });

  it('has unique dashboard uids and points every query at the provisioned datasource', () => {
    const uids = dashboards.map((d) => d.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const provisioned = read(join(grafanaDir, 'provisioning/datasources/prometheus.yaml')).match(/^\s*uid: (\S+)/m)![1];
    expect(provisioned).toBe(DATASOURCE_UID);
    for (const p of panels) {
      expect(p.datasource?.uid, p.title).toBe(provisioned);
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe(provisioned);
    }
    for (const d of dashboards) for (const v of d.json.templating.list) expect(v.datasource.uid).toBe(provisioned);
  });

  it('sets the datasource timeInterval to the scrape interval', () => {
    const timeInterval = read(join(grafanaDir, 'provisioning/datasources/prometheus.yaml')).match(/timeInterval: (\S+)/)![1];
    const scrape = read(join(promDir, 'prometheus.yml')).match(/scrape_interval: (\S+)/)![1];
    expect(timeInterval).toBe(scrape);
  });

  it('parses every panel and recording-rule expression as PromQL', () => {
    const all = [...exprs, ...recordingRules().map((r) => ({ where: `rule ${r.record}`, expr: r.expr }))];
    expect(all.length).toBeGreaterThan(20);
    for (const e of all) expect(parse(e.expr).errors, `${e.where}: ${e.expr}`).toBe(0);
  });

  describe('against a live scrape', { timeout: 60_000 }, () => {
    let app: BuiltApp;
    let scraped: Set<string>;
    beforeAll(async () => {
      app = await buildApp({ ...loadConfig({}), dbPath: join(mkdtempSync(join(tmpdir(), 'numasim-grafana-')), 'db.sqlite'), logLevel: 'silent', concurrency: 2 }, false);
      await app.app.ready();
      const ids: string[] = [];
      for (const payload of [{ preset: 'lockbench-numaq-tas', set: { durationNs: 20_000_000 } }, { preset: 'numaq-16-page-fault', set: { durationNs: 10_000_000 } }]) {
        ids.push((await app.app.inject({ method: 'POST', url: '/v1/runs', payload })).json().id);
      }
      for (const id of ids) {
        for (;;) {
          if ((await app.app.inject({ method: 'GET', url: `/v1/runs/${id}` })).json().finished) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await app.app.inject({ method: 'GET', url: '/v1/runs' }); // one request, so the HTTP histogram has samples
      const text = (await app.app.inject({ method: 'GET', url: '/metrics' })).body;
      scraped = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
    });
    afterAll(async () => app.shutdown());

    it('finds every metric a panel or recording rule reads', () => {
      const rules = recordingRules();
      const recorded = new Set(rules.map((r) => r.record));
      const missing: string[] = [];
      for (const e of [...exprs, ...rules.map((r) => ({ where: `rule ${r.record}`, expr: r.expr }))]) {
        for (const m of parse(e.expr).metrics) if (!scraped.has(m) && !recorded.has(m)) missing.push(`${m} (${e.where})`);
      }
      expect(missing).toEqual([]);
    });
  });
});
