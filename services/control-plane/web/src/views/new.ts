/**
 * Start a run or a sweep from a preset: the preset's resolved config as fields, edited values
 * become `set` overrides, values listed in the sweep column become the grid.
 */
import { ApiError, getJson, postJson, serverFeatures, setApiToken, type Preset } from '../api.js';
import { clear, errorBox, h } from '../dom.js';
import { configFields, parseList, parseValue, showValue, type Field } from '../fields.js';
import { go } from '../nav.js';

function newKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function fieldInput(f: Field): HTMLInputElement | HTMLSelectElement {
  const name = `v:${f.path}`;
  if (f.input === 'choice') return h('select', { name, id: name }, f.choices.map((c) => h('option', { value: String(c), selected: c === f.value }, String(c))));
  if (f.input === 'flag') return h('select', { name, id: name }, ['true', 'false'].map((c) => h('option', { value: c, selected: String(f.value) === c }, c)));
  return h('input', { name, id: name, type: f.input === 'number' ? 'number' : 'text', step: 'any', value: showValue(f.value), size: f.input === 'json' ? 40 : 14 });
}

export async function newView(root: HTMLElement, query: URLSearchParams): Promise<void> {
  const [features, { presets }] = await Promise.all([serverFeatures(), getJson<{ presets: Preset[] }>('/v1/presets')]);
  const chosen = presets.find((p) => p.name === query.get('preset')) ?? presets[0];
  clear(root);
  const picker = h('select', { id: 'preset', name: 'preset' }, presets.map((p) => h('option', { value: p.name, selected: p === chosen }, p.name)));
  picker.addEventListener('change', () => go(`#/new?preset=${encodeURIComponent(picker.value)}`));
  const fields = configFields(chosen.config, features.workloadSchemas.get(String(chosen.config.kind)));
  const idempotencyKey = newKey();

  const row = (f: Field) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, h('label', { for: `v:${f.path}` }, h('code', {}, f.path))),
      h('td', {}, fieldInput(f)),
      h('td', { class: 'sweep-col' }, h('input', { name: `g:${f.path}`, type: 'text', size: 16, placeholder: 'e.g. 1, 2, 4', 'aria-label': `sweep values of ${f.path}` })),
      h('td', { class: 'desc' }, f.description),
    );
  const head = () => h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col', class: 'sweep-col' }, 'Sweep over'), h('th', { scope: 'col' }, '')));
  const top = fields.filter((f) => !f.path.includes('.'));
  const nested = fields.filter((f) => f.path.includes('.'));
  const status = h('div', { id: 'form-status', 'aria-live': 'polite' });
  const replicates = h('input', { type: 'number', name: 'replicates', id: 'replicates', min: 1, max: 1000, value: 1, size: 4 });
  const label = h('input', { type: 'text', name: 'label', id: 'label', maxlength: 200, size: 30, placeholder: 'e.g. ticket vs tas, 2.4.20' });
  const form = h(
    'form',
    { class: 'start', id: 'start-form' },
    h('p', { class: 'summary' }, chosen.summary),
    h(
      'fieldset',
      { class: 'mode' },
      h('legend', {}, 'Start'),
      h('label', {}, h('input', { type: 'radio', name: 'mode', value: 'run', checked: true }), ' one run'),
      h('label', {}, h('input', { type: 'radio', name: 'mode', value: 'sweep' }), ' a sweep (fill “Sweep over” for one or more fields)'),
      h('label', { class: 'sweep-only' }, 'Replicates per point ', replicates),
      features.runLabel || features.sweepLabel ? h('label', {}, 'Label ', label) : null,
    ),
    h('div', { class: 'table-wrap' }, h('table', { class: 'fields' }, head(), h('tbody', {}, top.map(row)))),
    nested.length ? h('details', {}, h('summary', {}, `Machine costs, distributions and other nested fields (${nested.length})`), h('div', { class: 'table-wrap' }, h('table', { class: 'fields' }, head(), h('tbody', {}, nested.map(row))))) : null,
    h('p', {}, h('button', { type: 'submit', id: 'start' }, 'Start'), ' ', h('span', { class: 'hint' }, 'Only changed fields are sent, as overrides of the preset.')),
    status,
  );
  const syncMode = () => form.classList.toggle('sweeping', (form.elements.namedItem('mode') as RadioNodeList).value === 'sweep');
  form.addEventListener('change', syncMode);
  syncMode();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(status);
    const data = new FormData(form);
    const sweep = data.get('mode') === 'sweep';
    const set: Record<string, unknown> = {};
    const grid: Record<string, unknown[]> = {};
    try {
      for (const f of fields) {
        const text = String(data.get(`v:${f.path}`) ?? '');
        if (text !== showValue(f.value)) set[f.path] = parseValue(f, text);
        const list = String(data.get(`g:${f.path}`) ?? '').trim();
        if (sweep && list) grid[f.path] = parseList(f, list);
      }
    } catch (e) {
      status.append(errorBox(`a field is not valid JSON: ${(e as Error).message}`));
      return;
    }
    const base = { preset: chosen.name, ...(Object.keys(set).length ? { set } : {}) };
    const labelText = String(data.get('label') ?? '').trim();
    try {
      if (sweep) {
        if (Object.keys(grid).length === 0) throw new ApiError(0, 'FORM', 'a sweep needs values in “Sweep over” for at least one field');
        const body = { base, grid, replicates: Number(data.get('replicates')), ...(labelText && features.sweepLabel ? { label: labelText } : {}) };
        const res = await postJson<{ id: string }>('/v1/sweeps', body, { 'idempotency-key': idempotencyKey });
        go(`#/sweeps/${res.id}`);
      } else {
        const body = { ...base, ...(labelText && features.runLabel ? { label: labelText } : {}) };
        const res = await postJson<{ id: string }>('/v1/runs', body, { 'idempotency-key': idempotencyKey });
        go(`#/runs/${res.id}`);
      }
    } catch (e) {
      const err = e as ApiError;
      status.append(errorBox(err.message));
      if (err.issues?.length) status.append(h('ul', { class: 'issues' }, err.issues.map((i) => h('li', {}, h('code', {}, i.path), ': ', i.reason))));
      if (err.status === 401) status.append(tokenForm());
    }
  });

  root.append(h('h1', {}, 'Start a run or a sweep'), h('p', {}, h('label', { for: 'preset' }, 'Preset '), picker), form);
  root.dataset.loaded = 'new';
}

/** The service asks for a bearer token on writes (NUMASIM_API_TOKEN): kept in this browser only. */
function tokenForm(): HTMLElement {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', size: 30 });
  const f = h('form', { class: 'token' }, h('label', {}, 'API token ', input), ' ', h('button', { type: 'submit' }, 'Save, then press Start again'));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    setApiToken(input.value);
    f.replaceWith(h('p', {}, 'Token saved in this browser.'));
  });
  return f;
}
