/** The page's router: the part of the URL after `#` picks the view; each view draws into <main>. */
import { clear, errorBox, h } from './dom.js';
import { compareView } from './views/compare.js';
import { newView } from './views/new.js';
import { closeRunStream, runView } from './views/run.js';
import { runsView, stopRunsRefresh } from './views/runs.js';
import { stopSweepPolling, sweepView } from './views/sweep.js';

const root = document.getElementById('view')!;

async function route(): Promise<void> {
  const hash = location.hash;
  closeRunStream();
  stopSweepPolling();
  stopRunsRefresh();
  const [path, qs] = location.hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(qs ?? '');
  const parts = (path || '/').split('/').filter(Boolean);
  delete root.dataset.loaded;
  delete root.dataset.shown;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('header nav a')) {
    const current = (a.getAttribute('href') ?? '').replace(/^#\/?/, '') === (parts[0] ?? '');
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  try {
    if (parts.length === 0) await runsView(root, query);
    else if (parts[0] === 'new') await newView(root, query);
    else if (parts[0] === 'runs' && parts[1]) await runView(root, parts[1]);
    else if (parts[0] === 'sweeps' && parts[1]) await sweepView(root, parts[1], query);
    else if (parts[0] === 'compare') await compareView(root, query);
    else {
      clear(root);
      root.append(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the runs')));
    }
  } catch (e) {
    root.append(errorBox((e as Error).message));
  }
  document.title = `${root.querySelector('h1')?.textContent ?? 'numasim'} · numasim`;
  // Which link the page now shows, once drawn (tests wait on it; a later navigation has replaced it).
  if (location.hash === hash) root.dataset.shown = hash;
}

window.addEventListener('hashchange', () => void route());
void route();
