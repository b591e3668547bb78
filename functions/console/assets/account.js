// The account's credentials and endpoint: API keys (GET/POST /api/keys, DELETE
// /api/keys/{key_id}; a new key is shown once), the webhook endpoint (PUT/GET/DELETE
// /api/webhook-endpoint, a test event) and the signing secret's rotation.

import { alertBox, api, ApiError, enc, getKey, notice } from './api.js';
import { fill, h, when } from './dom.js';

const EVENTS = ['session_complete', 'bot_join_failed', 'status_change'];

export function keysPage() {
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading keys…'));
  const created = h('div', { 'aria-live': 'polite' });
  const create = h('button', { type: 'button', class: 'primary', id: 'create-key' }, 'Create a key');

  // Only the latest listing is shown: one started at page load must not overwrite the one
  // that follows a creation or a revocation if its answer comes last.
  let latest = 0;
  async function load() {
    const mine = ++latest;
    try {
      const { keys } = await api('GET', '/api/keys');
      if (mine !== latest) return;
      fill(list, keyTable(keys, load, created));
    } catch (error) {
      if (mine === latest) fill(list, alertBox(error));
    }
  }
  create.addEventListener('click', async () => {
    create.disabled = true;
    try {
      const key = await api('POST', '/api/keys');
      const value = h('code', { id: 'new-key', class: 'secret' }, key.key);
      fill(created, h('div', { class: 'notice', role: 'status' },
        h('p', {}, h('strong', {}, 'New key, shown only now: '), `copy it somewhere safe (id ${key.key_id}).`),
        value,
        copyButton(key.key)));
      load();
    } catch (error) {
      fill(created, alertBox(error));
    } finally {
      create.disabled = false;
    }
  });
  load();
  return {
    node: h('section', {},
      h('div', { class: 'title-row' }, h('h1', {}, 'API keys'), create),
      h('p', { class: 'muted' }, 'Keys of this account. A key is shown once, when it is created; the list shows only its prefix.'),
      created, list),
  };
}

function copyButton(text) {
  const button = h('button', { type: 'button' }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed: select the text';
    }
  });
  return button;
}

function keyTable(keys, reload, messages) {
  if (!keys.length) return h('p', { class: 'empty' }, 'This account has no keys.');
  const current = getKey() || '';
  return h('div', { class: 'table-wrap' }, h('table', { class: 'responsive', id: 'keys' },
    h('caption', { class: 'visually-hidden' }, 'API keys, oldest first'),
    h('thead', {}, h('tr', {}, ['Key id', 'Prefix', 'Created', 'Last used', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, keys.map((key) => {
      const mine = current.startsWith(key.prefix);
      const revoke = h('button', { type: 'button', class: 'danger', 'data-key-id': key.key_id }, 'Revoke');
      revoke.addEventListener('click', async () => {
        const warning = mine ? ' This looks like the key this tab is signed in with; the console will stop working.' : '';
        if (!window.confirm(`Revoke ${key.key_id} (${key.prefix}…)?${warning}`)) return;
        revoke.disabled = true;
        try {
          const receipt = await api('DELETE', `/api/keys/${enc(key.key_id)}`);
          fill(messages, notice(`Revoked ${receipt.key_id} at ${when(receipt.revoked_at)}.`));
          reload();
        } catch (error) {
          fill(messages, alertBox(error));
          revoke.disabled = false;
        }
      });
      return h('tr', { 'data-key-id': key.key_id },
        h('td', { 'data-label': 'Key id' }, h('span', { class: 'mono' }, key.key_id)),
        h('td', { 'data-label': 'Prefix' }, h('span', {}, h('span', { class: 'mono' }, `${key.prefix}…`),
          mine ? h('span', { class: 'tag' }, ' (this tab)') : null)),
        h('td', { 'data-label': 'Created' }, when(key.created_at)),
        h('td', { 'data-label': 'Last used' }, when(key.last_used_at)),
        h('td', { 'data-label': 'Action' }, revoke));
    }))));
}

export function webhookPage() {
  const current = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const messages = h('div', { 'aria-live': 'polite' });
  const url = h('input', { id: 'w-url', type: 'url', required: true, placeholder: 'https://example.com/hooks/pailflow' });
  const boxes = EVENTS.map((event) => h('input', { type: 'checkbox', id: `w-${event}`, value: event, checked: event !== 'status_change' }));
  const form = h('form', { class: 'card', id: 'webhook-form' },
    h('h2', {}, 'Set the endpoint'),
    h('div', { class: 'field' }, h('label', { for: 'w-url' }, 'URL'), url),
    h('fieldset', {}, h('legend', {}, 'Events'),
      boxes.map((box) => h('div', { class: 'field check' }, box, h('label', { for: box.id }, box.value)))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save endpoint')));

  let latest = 0;
  async function load() {
    const mine = ++latest;
    try {
      const endpoint = await api('GET', '/api/webhook-endpoint');
      if (mine !== latest) return;
      url.value = endpoint.url;
      for (const box of boxes) box.checked = endpoint.events.includes(box.value);
      fill(current, h('dl', { class: 'facts' },
        h('dt', {}, 'URL'), h('dd', { class: 'mono', id: 'endpoint-url' }, endpoint.url),
        h('dt', {}, 'Events'), h('dd', {}, endpoint.events.join(', ')),
        h('dt', {}, 'Updated'), h('dd', {}, when(endpoint.updated_at))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: sendTest }, 'Send a test event'),
        h('button', { type: 'button', class: 'danger', onclick: remove }, 'Remove endpoint')));
    } catch (error) {
      if (mine !== latest) return;
      fill(current, error instanceof ApiError && error.status === 404
        ? h('p', { class: 'empty' }, 'No endpoint is set: joins without their own webhook URL deliver nowhere.')
        : alertBox(error));
    }
  }
  async function run(action, done) {
    try {
      const answer = await action();
      fill(messages, notice(done(answer)));
      load();
    } catch (error) {
      fill(messages, alertBox(error));
    }
  }
  const sendTest = () => run(() => api('POST', '/api/webhooks/test'),
    (a) => `Test event sent: ${a.status_code ?? a.status ?? 'done'}${a.error ? ` (${a.error})` : ''}.`);
  const remove = () => run(() => api('DELETE', '/api/webhook-endpoint'), () => 'Endpoint removed.');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const events = boxes.filter((b) => b.checked).map((b) => b.value);
    run(() => api('PUT', '/api/webhook-endpoint', { body: { url: url.value.trim(), events } }), () => 'Endpoint saved.');
  });
  load();
  return {
    node: h('section', {},
      h('h1', {}, 'Webhook'),
      messages,
      h('section', { class: 'card' }, h('h2', {}, 'Current endpoint'), current),
      form,
      rotation()),
  };
}

function rotation() {
  const hours = h('input', { id: 'r-hours', type: 'number', min: 0, max: 168, step: 1, value: 24 });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card', id: 'rotate-form' },
    h('h2', {}, 'Rotate the signing secret'),
    h('p', { class: 'muted' }, 'A new secret signs every delivery from now on; the old one keeps signing beside it for the overlap, so receivers can switch without missing an event.'),
    h('div', { class: 'field' }, h('label', { for: 'r-hours' }, 'Overlap (hours, 0–168)'), hours),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, 'Rotate secret')),
    out);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!window.confirm('Rotate the webhook signing secret now?')) return;
    try {
      const rotated = await api('POST', '/api/webhook-secret/rotate', { body: { overlap_hours: Number(hours.value) } });
      fill(out, h('div', { class: 'notice', role: 'status' },
        h('p', {}, h('strong', {}, 'New secret, shown only now. '),
          rotated.previous_valid_until ? `The old one signs until ${when(rotated.previous_valid_until)}.` : 'The old one no longer signs.'),
        h('code', { class: 'secret', id: 'new-secret' }, rotated.secret), copyButton(rotated.secret)));
    } catch (error) {
      fill(out, alertBox(error));
    }
  });
  return form;
}
