/** The run page's lock table: sortable by any column, filtered by name, collapsed into classes by default. */
import { filterRows, lockRows, sortRows, type LockRow, type SortKey } from '../locks.js';
import { clear, h, ns, num } from '../dom.js';

type LockInput = Parameters<typeof lockRows>[0][number];

const COLUMNS: [SortKey, string, (r: LockRow) => string, string][] = [
  ['name', 'Lock', (r) => r.name, 'lock class, or the instance with “per instance”'],
  ['instances', 'Inst', (r) => num(r.instances), 'instances of the class'],
  ['utilPercent', 'UTIL %', (r) => num(r.utilPercent), 'time held / run time (a class: its instances summed)'],
  ['conPercent', 'CON %', (r) => num(r.conPercent), 'attempts that spun or were rejected'],
  ['holdMeanNs', 'HOLD mean', (r) => ns(r.holdMeanNs), ''],
  ['holdMaxNs', 'HOLD max', (r) => ns(r.holdMaxNs), ''],
  ['waitMeanNs', 'WAIT mean', (r) => ns(r.waitMeanNs), 'over contended acquisitions'],
  ['waitMaxNs', 'WAIT max', (r) => ns(r.waitMaxNs), ''],
  ['waitCpuPercent', 'WAIT CPU %', (r) => num(r.waitCpuPercent), 'CPU time spent spinning'],
  ['attempts', 'TOTAL', (r) => num(r.attempts), 'acquisitions + trylock failures'],
  ['contentions', 'SPIN', (r) => num(r.contentions), ''],
  ['trylockFailures', 'REJECT', (r) => num(r.trylockFailures), ''],
  ['homeNode', 'Home', (r) => (r.homeNode === null ? 'mixed' : String(r.homeNode)), 'node holding the lock word'],
];

export function lockTable(locks: readonly LockInput[]): HTMLElement {
  let sortKey: SortKey = 'utilPercent';
  let descending = true;
  const filter = h('input', { type: 'search', id: 'lock-filter', placeholder: 'filter locks, e.g. lru', size: 24, 'aria-label': 'filter locks by name' });
  const perInstance = h('input', { type: 'checkbox', id: 'lock-instances' });
  const withCallers = h('input', { type: 'checkbox', id: 'lock-callers' });
  const table = h('table', { class: 'locks', id: 'locks' });
  const count = h('span', { class: 'hint' });

  const render = () => {
    const base = lockRows(locks, perInstance.checked);
    const rows = sortRows(filterRows(base, filter.value), sortKey, descending);
    clear(table);
    table.append(
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          COLUMNS.map(([key, title, , help]) => {
            const active = key === sortKey;
            const button = h('button', { type: 'button', title: help || null }, title, active ? (descending ? ' ▾' : ' ▴') : '');
            button.addEventListener('click', () => {
              descending = active ? !descending : key !== 'name';
              sortKey = key;
              render();
            });
            return h('th', { scope: 'col', class: key === 'name' ? '' : 'num', 'aria-sort': active ? (descending ? 'descending' : 'ascending') : null }, button);
          }),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) => [
          h('tr', {}, COLUMNS.map(([key, , show]) => (key === 'name' ? h('th', { scope: 'row' }, h('code', {}, show(r))) : h('td', { class: 'num' }, show(r))))),
          // lockmeter's layout: each lock's callers under it, indented, with the figures a caller has.
          withCallers.checked
            ? r.callers.map((c) =>
                h(
                  'tr',
                  { class: 'caller' },
                  COLUMNS.map(([key, , show]) =>
                    key === 'name' ? h('th', { scope: 'row' }, h('code', {}, c.name)) : h('td', { class: 'num' }, key in c ? show(c as unknown as LockRow) : ''),
                  ),
                ),
              )
            : [],
        ]),
      ),
    );
    table.dataset.rows = String(rows.length);
    count.textContent = `${rows.length} of ${base.length} ${perInstance.checked ? 'instances' : 'classes'}`;
  };
  filter.addEventListener('input', render);
  perInstance.addEventListener('change', render);
  withCallers.addEventListener('change', render);
  render();
  return h(
    'div',
    {},
    h('p', { class: 'controls' }, filter, ' ', h('label', {}, perInstance, ' per instance'), ' ', h('label', {}, withCallers, ' callers'), ' ', count),
    h('div', { class: 'table-wrap' }, table),
  );
}
