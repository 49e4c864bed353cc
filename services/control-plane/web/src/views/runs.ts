/** The front page: runs (filtered by preset, kind, status, sweep, label) and sweeps, newest first. */
import { ApiError, getJson, serverFeatures, type RunSummary } from '../api.js';
import { clear, errorBox, h, when } from '../dom.js';
import { go } from '../nav.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const KINDS = ['lockbench', 'page-fault', 'kernbench', 'mem-pressure', 'file-read', 'shm-db', 'mix', 'pipe', 'will-it-scale', 'pft', 'kbuild', 'readtwice'];

interface SweepItem {
  id: string;
  status: string;
  label: string | null;
  createdAt: string;
  grid: Record<string, unknown[]>;
  replicates: number;
  base: { preset: string | null; overrides: Record<string, unknown> | null };
  runs: Record<string, number>;
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status status-${status}` }, status);
}

export function paramsText(params: Record<string, unknown> | null | undefined): string {
  if (!params) return '';
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/**
 * The runs page by page; a filter the server refuses (an older server names it in the error) is
 * dropped and the list asked for again without it, rather than showing no runs.
 */
async function listRuns(query: URLSearchParams): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
  try {
    return await getJson(`/v1/runs?${query}`);
  } catch (e) {
    const refused = e instanceof ApiError ? e.issues.map((i) => i.path.replace(/^querystring\./, '')).filter((name) => name !== 'cursor' && query.has(name)) : [];
    if (refused.length === 0) throw e;
    const fewer = new URLSearchParams(query);
    for (const name of refused) fewer.delete(name);
    return listRuns(fewer);
  }
}

let refresh: ReturnType<typeof setTimeout> | undefined;

export function stopRunsRefresh(): void {
  if (refresh !== undefined) clearTimeout(refresh);
  refresh = undefined;
}

/** While a listed run is queued or running, the list redraws itself every few seconds. */
const REFRESH_MS = 3000;

export async function runsView(root: HTMLElement, query: URLSearchParams): Promise<void> {
  const features = await serverFeatures();
  const presets = await getJson<{ presets: { name: string }[] }>('/v1/presets').then((p) => p.presets.map((x) => x.name)).catch(() => []);
  const filters: [string, string, string[] | null][] = [
    ['status', 'Status', STATUSES],
    ['kind', 'Kind', KINDS],
    ['preset', 'Preset', presets],
    ['sweep', 'Sweep', null],
    ['label', 'Label', null],
  ];
  const shown = filters.filter(([name]) => features.runFilters.has(name));
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    shown.map(([name, title, options]) =>
      h(
        'label',
        {},
        title,
        options
          ? h('select', { name }, h('option', { value: '' }, 'any'), options.map((o) => h('option', { value: o, selected: query.get(name) === o }, o)))
          : h('input', { name, type: 'search', value: query.get(name) ?? '', size: 18, placeholder: name === 'sweep' ? 'swp_…' : 'text' }),
      ),
    ),
    h('button', { type: 'submit' }, 'Filter'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v) q.set(k, v);
    go(`#/${q.size ? `?${q}` : ''}`);
  });
  form.addEventListener('change', (ev) => {
    if ((ev.target as HTMLElement).tagName === 'SELECT') form.requestSubmit();
  });

  const apiQuery = new URLSearchParams();
  for (const [name] of shown) {
    const v = query.get(name);
    if (v) apiQuery.set(name, v);
  }
  if (query.get('cursor')) apiQuery.set('cursor', query.get('cursor')!);
  const tableHolder = h('div', { class: 'table-wrap' });
  const compareButton = h('button', { type: 'button', disabled: true }, 'Compare selected runs');
  const selected = new Set<string>();
  compareButton.addEventListener('click', () => go(`#/compare?runs=${[...selected].join(',')}`));

  clear(root);
  root.append(
    h('h1', {}, 'Runs'),
    h('p', { class: 'actions' }, h('a', { href: '#/new', class: 'button' }, 'Start a run or a sweep'), ' ', compareButton),
    form,
    tableHolder,
  );
  try {
    const page = await listRuns(apiQuery);
    // Servers before runs carried their origin (preset, label) get no empty columns.
    const withOrigin = page.runs.some((r) => r.preset !== undefined);
    if (page.runs.some((r) => r.status === 'queued' || r.status === 'running')) {
      // Not while the reader is picking runs to compare or typing a filter.
      const shownAt = location.hash;
      const tick = () => {
        if (location.hash !== shownAt) return;
        if (selected.size === 0 && !form.contains(document.activeElement)) void runsView(root, query);
        else refresh = setTimeout(tick, REFRESH_MS);
      };
      refresh = setTimeout(tick, REFRESH_MS);
    }
    if (page.runs.length === 0) tableHolder.append(h('p', { class: 'empty' }, 'No runs match. Start one from a preset.'));
    else {
      tableHolder.append(
        h(
          'table',
          { class: 'runs', id: 'runs-table' },
          h('thead', {}, h('tr', {}, ['', 'Run', withOrigin && 'Label', withOrigin && 'Preset', 'Kind', 'Status', 'Sweep', 'Parameters', 'Created'].map((t) => (t === false ? null : h('th', { scope: 'col' }, t))))),
          h(
            'tbody',
            {},
            page.runs.map((r) => {
              const box = h('input', { type: 'checkbox', 'aria-label': `select ${r.id}`, disabled: r.status !== 'succeeded' });
              box.addEventListener('change', () => {
                if (box.checked) selected.add(r.id);
                else selected.delete(r.id);
                compareButton.disabled = selected.size < 2;
              });
              return h(
                'tr',
                { 'data-run': r.id },
                h('td', {}, box),
                h('td', {}, h('a', { href: `#/runs/${r.id}` }, h('code', {}, r.id))),
                withOrigin && h('td', {}, r.label ?? ''),
                withOrigin && h('td', {}, r.preset ?? h('i', {}, 'inline')),
                h('td', {}, r.kind),
                h('td', {}, statusBadge(r.status)),
                h('td', {}, r.sweepId ? h('a', { href: `#/sweeps/${r.sweepId}` }, h('code', {}, r.sweepId)) : ''),
                h('td', {}, h('code', {}, paramsText(r.overrides ?? r.params))),
                h('td', {}, when(r.createdAt)),
              );
            }),
          ),
        ),
      );
      if (page.nextCursor) {
        const q = new URLSearchParams(query);
        q.set('cursor', page.nextCursor);
        tableHolder.append(h('p', {}, h('a', { href: `#/?${q}` }, 'Older runs →')));
      }
    }
  } catch (e) {
    tableHolder.append(errorBox((e as Error).message));
  }
  if (features.sweepList) await sweepsSection(root, query);
  root.dataset.loaded = 'runs';
}

async function sweepsSection(root: HTMLElement, query: URLSearchParams): Promise<void> {
  const section = h('section', { 'aria-labelledby': 'sweeps-h' }, h('h2', { id: 'sweeps-h' }, 'Sweeps'));
  root.append(section);
  try {
    const q = new URLSearchParams();
    if (query.get('label')) q.set('label', query.get('label')!);
    const page = await getJson<{ items: SweepItem[] }>(`/v1/sweeps?${q}`);
    if (page.items.length === 0) {
      section.append(h('p', { class: 'empty' }, 'No sweeps yet.'));
      return;
    }
    section.append(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'sweeps' },
          h('thead', {}, h('tr', {}, ['Sweep', 'Label', 'Preset', 'Grid', 'Replicates', 'Status', 'Runs done', 'Created'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            page.items.map((s) =>
              h(
                'tr',
                {},
                h('td', {}, h('a', { href: `#/sweeps/${s.id}` }, h('code', {}, s.id))),
                h('td', {}, s.label ?? ''),
                h('td', {}, s.base?.preset ?? ''),
                h('td', {}, h('code', {}, Object.entries(s.grid).map(([k, v]) => `${k}=${v.join(',')}`).join(' '))),
                h('td', { class: 'num' }, s.replicates),
                h('td', {}, statusBadge(s.status)),
                h('td', { class: 'num' }, `${(s.runs.succeeded ?? 0) + (s.runs.failed ?? 0) + (s.runs.cancelled ?? 0)} / ${s.runs.total}`),
                h('td', {}, when(s.createdAt)),
              ),
            ),
          ),
        ),
      ),
    );
  } catch (e) {
    section.append(errorBox((e as Error).message));
  }
}
