// The bot list (GET /api/bots with its filters and cursor paging) and the join form
// (POST /api/bot/join).

import { alertBox, api } from './api.js';
import { badge, fill, h, pairs, when } from './dom.js';

const STATUSES = ['running', 'completed', 'failed'];

/** "key=value" lines -> {key: value}; a line without "=" is an error naming it. */
function parsePairs(text) {
  const out = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf('=');
    if (at < 1) throw new Error(`"${line}" is not key=value`);
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** datetime-local (read as UTC) <-> RFC 3339. */
const toRfc3339 = (local) => (local ? `${local.length === 16 ? `${local}:00` : local}Z` : '');
const toLocal = (rfc) => (rfc ? rfc.replace(/Z$/, '').slice(0, 16) : '');

export function botListPage(params) {
  const results = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading bots…'));
  const query = new URLSearchParams();
  for (const [name, value] of params) if (value) query.append(name, value);
  if (!query.has('limit')) query.set('limit', '20');

  const status = h('select', { id: 'f-status', name: 'status' },
    h('option', { value: '' }, 'any'),
    STATUSES.map((st) => h('option', { value: st, selected: params.get('status') === st }, st)));
  const after = h('input', { id: 'f-after', type: 'datetime-local', value: toLocal(params.get('created_after')) });
  const before = h('input', { id: 'f-before', type: 'datetime-local', value: toLocal(params.get('created_before')) });
  const metadataText = [...params].filter(([n]) => n.startsWith('metadata.'))
    .map(([n, v]) => `${n.slice(9)}=${v}`).join('\n');
  const metadata = h('textarea', { id: 'f-metadata', rows: 2, placeholder: 'team=sales' }, metadataText);
  const problem = h('div');
  const form = h('form', { class: 'filters', id: 'bot-filters', 'aria-label': 'Filter bots' },
    h('div', { class: 'field' }, h('label', { for: 'f-status' }, 'Status'), status),
    h('div', { class: 'field' }, h('label', { for: 'f-after' }, 'Created after (UTC)'), after),
    h('div', { class: 'field' }, h('label', { for: 'f-before' }, 'Created before (UTC)'), before),
    h('div', { class: 'field' }, h('label', { for: 'f-metadata' }, 'Metadata (key=value per line)'), metadata),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
      h('a', { href: '#/bots', class: 'button' }, 'Clear')),
    problem);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (status.value) next.set('status', status.value);
    if (after.value) next.set('created_after', toRfc3339(after.value));
    if (before.value) next.set('created_before', toRfc3339(before.value));
    try {
      for (const [k, v] of Object.entries(parsePairs(metadata.value))) next.append(`metadata.${k}`, v);
    } catch (error) {
      fill(problem, h('div', { class: 'alert', role: 'alert' }, `Metadata: ${error.message}.`));
      return;
    }
    location.hash = `#/bots?${next}`;
  });

  api('GET', `/api/bots?${query}`)
    .then((page) => fill(results, botTable(page.bots, params), pager(params, page.next_cursor)))
    .catch((error) => fill(results, alertBox(error)));

  const node = h('section', {},
    h('div', { class: 'title-row' }, h('h1', {}, 'Bots'), h('a', { href: '#/join', class: 'button primary' }, 'Join a bot')),
    form, results);
  return { node };
}

function botTable(bots, params) {
  if (!bots.length) {
    const filtered = [...params.keys()].some((k) => k !== 'cursor' && k !== 'limit');
    return h('p', { class: 'empty' }, filtered ? 'No bots match these filters.' : 'No bots yet. ',
      filtered ? null : h('a', { href: '#/join' }, 'Join your first bot.'));
  }
  const head = ['Bot', 'Status', 'Phase', 'Sub-code', 'Created', 'Completed', 'Metadata'];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'bots responsive' },
    h('caption', { class: 'visually-hidden' }, 'Bots, newest first'),
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, bots.map((bot) => h('tr', { 'data-bot-id': bot.bot_id },
      h('td', { 'data-label': 'Bot' }, h('a', { href: `#/bot/${bot.bot_id}`, class: 'mono' }, bot.bot_id)),
      h('td', { 'data-label': 'Status' }, badge(bot.status)),
      h('td', { 'data-label': 'Phase' }, bot.phase),
      h('td', { 'data-label': 'Sub-code' }, bot.sub_code ?? '—'),
      h('td', { 'data-label': 'Created' }, when(bot.created_at)),
      h('td', { 'data-label': 'Completed' }, when(bot.completed_at)),
      h('td', { 'data-label': 'Metadata' }, pairs(bot.metadata)))))));
}

function pager(params, nextCursor) {
  const first = new URLSearchParams(params);
  first.delete('cursor');
  const next = new URLSearchParams(params);
  if (nextCursor) next.set('cursor', nextCursor);
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    params.has('cursor') ? h('a', { href: `#/bots?${first}`, class: 'button' }, 'First page') : null,
    nextCursor ? h('a', { href: `#/bots?${next}`, class: 'button', id: 'next-page' }, 'Next page') : null);
}

export function joinPage() {
  const field = (id, label, input, help) => h('div', { class: 'field' },
    h('label', { for: id }, label), input, help ? h('p', { class: 'muted small' }, help) : null);
  const room = h('input', { id: 'j-room', type: 'url', required: true, value: 'https://acme.daily.co/standup' });
  const prompt = h('textarea', { id: 'j-prompt', rows: 2, required: true }, 'You are a friendly note-taker.');
  const name = h('input', { id: 'j-name', type: 'text', value: 'PailFlow Notetaker' });
  const email = h('input', { id: 'j-email', type: 'email', placeholder: 'team@example.com' });
  const hook = h('input', { id: 'j-webhook', type: 'url', placeholder: 'https://example.com/hooks/pailflow' });
  const changes = h('input', { id: 'j-changes', type: 'checkbox' });
  const metadata = h('textarea', { id: 'j-metadata', rows: 2, placeholder: 'team=sales' });
  const problem = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Join');
  const form = h('form', { class: 'card', id: 'join-form' },
    h('h1', {}, 'Join a bot'),
    field('j-room', 'Meeting URL', room),
    field('j-prompt', 'Bot prompt', prompt),
    field('j-name', 'Bot name', name),
    field('j-email', 'Email the results to (optional)', email),
    field('j-webhook', 'Webhook URL (optional)', hook, 'Without one, the account\'s webhook endpoint is used.'),
    h('div', { class: 'field check' }, changes, h('label', { for: 'j-changes' }, 'Also send a status_change webhook for every change')),
    field('j-metadata', 'Metadata (key=value per line)', metadata),
    h('div', { class: 'actions' }, submit),
    problem);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let body;
    try {
      body = {
        room_url: room.value.trim(),
        bot_config: { bot_prompt: prompt.value, ...(name.value.trim() ? { name: name.value.trim() } : {}) },
        metadata: parsePairs(metadata.value),
      };
    } catch (error) {
      fill(problem, h('div', { class: 'alert', role: 'alert' }, `Metadata: ${error.message}.`));
      return;
    }
    if (email.value.trim()) body.email = email.value.trim();
    if (hook.value.trim()) body.webhook_callback_url = hook.value.trim();
    if (changes.checked) body.webhook_events = ['session_complete', 'bot_join_failed', 'status_change'];
    submit.disabled = true;
    fill(problem, h('p', { class: 'muted' }, 'Starting the bot…'));
    try {
      const started = await api('POST', '/api/bot/join', { body });
      location.hash = `#/bot/${started.bot_id}`;
    } catch (error) {
      fill(problem, alertBox(error));
    } finally {
      submit.disabled = false;
    }
  });
  return { node: form };
}
