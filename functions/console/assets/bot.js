// One bot: its state and timeline (polled while it runs), a stop button, and once it has
// finished its results (insights, Q&A, charts, searchable transcript, exports) and its
// delivery log with redelivery.

import { alertBox, api, ApiError, download, enc, notice } from './api.js';
import { badge, clock, fill, h, pairs, speakerPalette, when } from './dom.js';
import { talkTimeChart, whoSpokeWhen } from './charts.js';

const POLL_MS = 2000;
const FORMATS = ['txt', 'srt', 'vtt', 'md', 'json'];

export function botPage(botId) {
  const base = `/api/bot/${enc(botId)}`;
  const overview = h('section', { class: 'card', 'aria-labelledby': 'bot-title' }, h('p', { class: 'muted' }, 'Loading…'));
  const timeline = h('section', { class: 'card', 'aria-labelledby': 'timeline-title' });
  const results = h('div', { class: 'results' });
  const deliveries = h('section', { class: 'card', id: 'deliveries', 'aria-labelledby': 'deliveries-title' });
  let timer = null;
  let stopped = false;
  let resultsShown = false;

  async function refresh() {
    timer = null;
    let bot;
    try {
      bot = await api('GET', `${base}/status`);
    } catch (error) {
      fill(overview, h('h1', { id: 'bot-title' }, 'Bot'), alertBox(error));
      if (!stopped && (!(error instanceof ApiError) || error.status === 0 || error.status === 429)) {
        const wait = error.retryAfter ? error.retryAfter * 1000 : POLL_MS * 3;
        timer = setTimeout(refresh, wait);
      }
      return;
    }
    if (stopped) return;
    fill(overview, ...overviewOf(bot, base, refresh));
    fill(timeline, ...timelineOf(bot));
    const finished = bot.status !== 'running';
    if (finished && !resultsShown) {
      resultsShown = true;
      showResults(bot, base, results);
      loadDeliveries(base, deliveries);
    } else if (!finished) {
      fill(results, h('p', { class: 'empty card' }, 'The transcript, insights and charts appear here once the bot has left and its results are made.'));
      if (!deliveries.hasChildNodes()) loadDeliveries(base, deliveries);
      timer = setTimeout(refresh, POLL_MS);
    }
  }
  refresh();

  const node = h('div', { class: 'bot-page' },
    h('p', {}, h('a', { href: '#/bots' }, '← All bots')),
    overview, timeline, results, deliveries);
  return {
    node,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

function overviewOf(bot, base, refresh) {
  const problem = h('div', { 'aria-live': 'polite' });
  const running = bot.status === 'running';
  const stop = h('button', { type: 'button', class: 'danger', id: 'stop-bot', disabled: !running || bot.phase === 'leaving' },
    bot.phase === 'leaving' ? 'Leaving…' : 'Stop bot');
  stop.addEventListener('click', async () => {
    stop.disabled = true;
    try {
      const answer = await api('POST', `/v1/bots/leave/${enc(bot.bot_id)}`);
      fill(problem, notice(answer.message || 'Stop requested.'));
    } catch (error) {
      fill(problem, alertBox(error));
      stop.disabled = false;
    }
  });
  const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  return [
    h('div', { class: 'title-row' },
      h('h1', { id: 'bot-title' }, 'Bot ', badge(bot.status)),
      h('div', { class: 'actions' }, running ? stop : null,
        h('button', { type: 'button', onclick: refresh }, 'Refresh'))),
    h('dl', { class: 'facts' },
      row('Bot id', h('span', { class: 'mono' }, bot.bot_id)),
      row('Phase', h('span', { id: 'bot-phase' }, bot.phase)),
      row('Sub-code', bot.sub_code ?? '—'),
      row('Meeting', bot.room_url),
      row('Created', when(bot.created_at)),
      row('Started', when(bot.started_at)),
      row('Completed', when(bot.completed_at)),
      row('Exit reason', bot.exit_reason ?? '—'),
      row('Metadata', pairs(bot.metadata)),
      bot.error ? row('Error', h('span', { class: 'error-text' }, bot.error)) : null,
      bot.insights_error ? row('Insights error', h('span', { class: 'error-text' }, bot.insights_error)) : null),
    problem,
  ];
}

function timelineOf(bot) {
  const changes = bot.status_changes || [];
  return [
    h('h2', { id: 'timeline-title' }, 'Timeline'),
    changes.length
      ? h('ol', { class: 'timeline', id: 'timeline' }, changes.map((c) => h('li', { 'data-code': c.code },
        badge(c.code), c.sub_code ? h('span', { class: 'sub' }, ` ${c.sub_code}`) : null,
        h('time', { datetime: c.at }, when(c.at)))))
      : h('p', { class: 'empty' }, 'No changes recorded yet.'),
  ];
}

async function showResults(bot, base, into) {
  const insights = bot.insights;
  let segments = null;
  let transcriptProblem = null;
  try {
    segments = await api('GET', `${base}/transcript?format=json`);
  } catch (error) {
    transcriptProblem = error;
  }
  const names = [
    ...(insights?.speakers || []).map((sp) => sp.speaker),
    ...(segments || []).map((seg) => seg.speaker),
  ];
  const colourOf = speakerPalette(names);
  const list = (id, items, render, empty) => (items && items.length
    ? h('ul', { class: 'list', id }, items.map((item) => h('li', {}, render(item))))
    : h('p', { class: 'empty' }, empty));
  fill(into,
    h('section', { class: 'card', 'aria-labelledby': 'summary-title' },
      h('h2', { id: 'summary-title' }, 'Summary'),
      insights
        ? [h('p', { id: 'summary' }, insights.summary || 'No summary.'),
          insights.overall_score !== null && insights.overall_score !== undefined
            ? h('p', { class: 'score' }, `Meeting score: ${insights.overall_score} / 10`) : null,
          h('div', { class: 'columns' },
            h('div', {}, h('h3', {}, 'Action items'),
              list('action-items', insights.action_items, (a) => [a.task, a.owner ? ` — ${a.owner}` : '', a.due ? ` (due ${a.due})` : ''], 'No action items.')),
            h('div', {}, h('h3', {}, 'Decisions'), list('decisions', insights.decisions, (d) => d, 'No decisions.')))]
        : h('p', { class: 'empty' }, bot.insights_error ? 'The insights could not be made.' : 'No insights for this bot.')),
    h('section', { class: 'card', 'aria-labelledby': 'charts-title' },
      h('h2', { id: 'charts-title' }, 'Who talked'),
      h('h3', {}, 'Talk time per speaker'),
      insights ? talkTimeChart(insights.speakers || [], colourOf) : h('p', { class: 'empty' }, 'No insights.'),
      h('h3', {}, 'Who spoke when'),
      segments ? whoSpokeWhen(segments, colourOf) : h('p', { class: 'empty' }, 'No transcript.')),
    h('section', { class: 'card', 'aria-labelledby': 'qa-title' },
      h('h2', { id: 'qa-title' }, 'Questions and answers'),
      bot.qa_pairs && bot.qa_pairs.length
        ? h('dl', { class: 'qa' }, bot.qa_pairs.map((qa) => [
          h('dt', {}, qa.asked_by ? `${qa.asked_by}: ` : '', qa.question),
          h('dd', {}, qa.answered_by ? `${qa.answered_by}: ` : '', qa.answer)]))
        : h('p', { class: 'empty' }, 'No questions were found.')),
    transcriptSection(bot, base, segments, transcriptProblem, colourOf));
}

function transcriptSection(bot, base, segments, problem, colourOf) {
  const exportProblem = h('div', { 'aria-live': 'polite' });
  const exports = h('div', { class: 'actions', role: 'group', 'aria-label': 'Export the transcript' },
    FORMATS.map((format) => h('button', {
      type: 'button',
      'data-format': format,
      onclick: async () => {
        try {
          await download(`${base}/transcript?format=${format}`, `transcript-${bot.bot_id}.${format}`);
          fill(exportProblem, notice(`Downloaded the ${format} file.`));
        } catch (error) {
          fill(exportProblem, alertBox(error));
        }
      },
    }, `Export ${format}`)));
  const section = h('section', { class: 'card', id: 'transcript', 'aria-labelledby': 'transcript-title' },
    h('h2', { id: 'transcript-title' }, 'Transcript'));
  if (!segments) {
    section.append(problem && problem.status !== 404 ? alertBox(problem)
      : h('p', { class: 'empty' }, 'This bot has no transcript.'));
    return section;
  }
  const search = h('input', { id: 'transcript-search', type: 'search', placeholder: 'Search words or speakers' });
  const count = h('p', { class: 'muted small', 'aria-live': 'polite', id: 'transcript-count' });
  const lines = h('ol', { class: 'transcript', id: 'transcript-lines' });
  const render = () => {
    const term = search.value.trim().toLowerCase();
    const shown = segments.filter((seg) => !term || `${seg.speaker} ${seg.text}`.toLowerCase().includes(term));
    fill(lines, shown.map((seg) => h('li', {},
      h('span', { class: 'at' }, clock(seg.start_ms)),
      h('span', { class: `speaker spk-${colourOf(seg.speaker)}` }, seg.speaker),
      h('span', { class: 'words' }, highlight(seg.text, term)))));
    count.textContent = term ? `${shown.length} of ${segments.length} lines match` : `${segments.length} lines`;
  };
  search.addEventListener('input', render);
  render();
  section.append(exports, exportProblem,
    h('label', { for: 'transcript-search' }, 'Search the transcript'), search, count, lines);
  return section;
}

/** The text with every match of term in a <mark>, built from text nodes. */
function highlight(text, term) {
  if (!term) return text;
  const parts = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(term); at !== -1; at = lower.indexOf(term, from)) {
    parts.push(text.slice(from, at), h('mark', {}, text.slice(at, at + term.length)));
    from = at + term.length;
  }
  parts.push(text.slice(from));
  return parts;
}

async function loadDeliveries(base, into, waitFor = null, tries = 0) {
  // The messages (a redelivery queued, a refusal) outlive the list's reloads.
  if (!into.messages) into.messages = h('div', { id: 'delivery-messages', 'aria-live': 'polite' });
  // Only the latest listing is shown, whichever answer comes last.
  into.latest = (into.latest || 0) + 1;
  const mine = into.latest;
  let log;
  try {
    log = await api('GET', `${base}/deliveries`);
  } catch (error) {
    if (mine === into.latest) fill(into, h('h2', { id: 'deliveries-title' }, 'Deliveries'), into.messages, alertBox(error));
    return;
  }
  if (mine !== into.latest) return;
  const reload = (newId) => loadDeliveries(base, into, newId, 0);
  fill(into,
    h('div', { class: 'title-row' }, h('h2', { id: 'deliveries-title' }, 'Deliveries'),
      h('button', { type: 'button', onclick: () => reload(null) }, 'Refresh')),
    into.messages,
    log.deliveries.length
      ? h('ul', { class: 'deliveries', id: 'delivery-list' }, log.deliveries.map((d) => deliveryItem(d, base, into.messages, reload)))
      : h('p', { class: 'empty' }, 'Nothing is delivered for this bot (no email or webhook was asked for, or none is due yet).'));
  // After a redelivery, follow the new entry until its first attempt is recorded.
  const pending = waitFor && !log.deliveries.some((d) => d.delivery_id === waitFor && d.attempts > 0);
  if (pending && tries < 30 && into.isConnected) {
    setTimeout(() => loadDeliveries(base, into, waitFor, tries + 1), 1000);
  }
}

function deliveryItem(d, base, problem, reload) {
  const canResend = d.state === 'delivered' || d.state === 'failed';
  const resend = h('button', { type: 'button', class: 'redeliver', disabled: !canResend, 'data-delivery': d.delivery_id },
    `Redeliver ${d.delivery_id}`);
  resend.addEventListener('click', async () => {
    resend.disabled = true;
    try {
      const accepted = await api('POST', `${base}/deliveries/${enc(d.delivery_id)}/redeliver`);
      fill(problem, notice(`Redelivery of ${d.delivery_id} queued as ${accepted.delivery_id}.`));
      setTimeout(() => reload(accepted.delivery_id), 500);
    } catch (error) {
      fill(problem, alertBox(error));
      resend.disabled = false;
    }
  });
  const where = d.channel === 'email' ? d.to : d.url;
  return h('li', { class: 'delivery', 'data-delivery-id': d.delivery_id },
    h('div', { class: 'title-row' },
      h('h3', {}, `${d.delivery_id} · ${d.channel} · ${d.event} `, badge(d.state)),
      resend),
    h('p', { class: 'muted small' },
      `${where || 'no address recorded'} · ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`,
      d.redelivers ? ` · redelivers ${d.redelivers}` : '',
      d.delivered_at ? ` · delivered ${when(d.delivered_at)}` : '',
      d.next_attempt_at ? ` · next attempt ${when(d.next_attempt_at)}` : ''),
    d.history && d.history.length
      ? h('table', { class: 'attempts' },
        h('caption', { class: 'visually-hidden' }, `Attempts of ${d.delivery_id}`),
        h('thead', {}, h('tr', {}, ['#', 'At', 'Status code', 'Error', 'Time'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, d.history.map((a) => h('tr', { class: a.error ? 'failed' : '' },
          h('td', {}, String(a.attempt)),
          h('td', {}, when(a.at)),
          h('td', { class: 'code' }, a.status_code === null ? 'no answer' : String(a.status_code)),
          h('td', {}, a.error ?? '—'),
          h('td', {}, `${a.duration_ms} ms`)))))
      : h('p', { class: 'empty small' }, 'No attempt yet.'));
}
