/** Hash navigation: every page of the app is a link, so back, reload and bookmarks work. */
export function go(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}
