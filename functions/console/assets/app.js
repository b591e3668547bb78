// The console's shell: sign-in with an API key, the hash router (#/bots, #/bot/{id},
// #/join, #/keys, #/webhook), and the alert box every page reports its errors in.

import { alertBox, api, forgetKey, getKey, setKey } from './api.js';
import { fill, h } from './dom.js';
import { botListPage, joinPage } from './bots.js';
import { botPage } from './bot.js';
import { keysPage, webhookPage } from './account.js';

const view = document.getElementById('view');
const nav = document.getElementById('nav');
let leaving = () => {};

function signOut() {
  forgetKey();
  location.hash = '#/bots';
  route();
}

function signInPage(problem) {
  const input = h('input', {
    id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true,
    spellcheck: 'false', placeholder: 'pfk_…', 'aria-describedby': 'key-help',
  });
  const status = h('div', { 'aria-live': 'polite' }, problem ? alertBox(problem, { signInAgain: false }) : null);
  const form = h('form', { class: 'card narrow', id: 'sign-in' },
    h('h1', {}, 'Sign in'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('p', { id: 'key-help', class: 'muted' },
      'The key is kept only in this tab (session storage) and sent to the API as a Bearer token. '
      + 'Closing the tab forgets it.'),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    fill(status, h('p', { class: 'muted' }, 'Checking the key…'));
    try {
      await api('GET', '/api/bots?limit=1', { key });
      setKey(key);
      route();
    } catch (error) {
      fill(status, alertBox(error, { signInAgain: false }));
      input.focus();
    }
  });
  nav.hidden = true;
  fill(view, form);
  input.focus();
}

const routes = [
  [/^#\/bots(?:\?(.*))?$/, 'bots', (m) => botListPage(new URLSearchParams(m[1] || ''))],
  [/^#\/bot\/([0-9a-fA-F-]{36})$/, 'bots', (m) => botPage(m[1])],
  [/^#\/join$/, 'join', () => joinPage()],
  [/^#\/keys$/, 'keys', () => keysPage()],
  [/^#\/webhook$/, 'webhook', () => webhookPage()],
];

function route(event) {
  leaving();
  leaving = () => {};
  if (!getKey()) {
    signInPage();
    return;
  }
  nav.hidden = false;
  const hash = location.hash || '#/bots';
  for (const [pattern, section, page] of routes) {
    const match = hash.match(pattern);
    if (!match) continue;
    for (const link of nav.querySelectorAll('a[data-route]')) {
      if (link.dataset.route === section) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    const { node, stop } = page(match);
    fill(view, node);
    leaving = stop || (() => {});
    // Moving between pages puts the focus on the new content (not on the first load, so the
    // skip link stays the first stop of the keyboard).
    if (event) view.focus({ preventScroll: true });
    return;
  }
  fill(view, h('div', { class: 'card' }, h('h1', {}, 'Not found'),
    h('p', {}, 'No console page has this address. '), h('a', { href: '#/bots' }, 'Go to the bot list')));
}

document.getElementById('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', route);
route();
