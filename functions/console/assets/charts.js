// Two charts drawn as SVG from the API's data: talk time per speaker (insights.speakers)
// and who spoke when (the transcript's segments, start_ms/end_ms). Labels are SVG text
// nodes; every bar has a <title> for its exact value, and the figure a text alternative.

import { clock, h, s, SPEAKER_COLOURS } from './dom.js';

/** Drawn for the width it is shown at (read when drawn): on a phone the coordinate space is
 * narrower so that text keeps a readable size instead of being scaled down. */
function layout() {
  const narrow = window.matchMedia('(max-width: 700px)').matches;
  return narrow ? { width: 360, label: 84, value: 92, chars: 11 } : { width: 640, label: 150, value: 175, chars: 20 };
}

/** One horizontal bar per speaker, longest talk time first. */
export function talkTimeChart(speakers, colourOf) {
  const rows = [...speakers].sort((a, b) => b.talk_time_seconds - a.talk_time_seconds);
  if (!rows.length) return h('p', { class: 'empty' }, 'No speakers were measured.');
  const { width: full, label, value, chars } = layout();
  const barRow = 30;
  const height = rows.length * barRow + 10;
  const max = Math.max(...rows.map((r) => r.talk_time_seconds), 1);
  const room = full - label - value;
  const svg = s('svg', {
    class: 'chart talk-time',
    viewBox: `0 0 ${full} ${height}`,
    role: 'img',
    'aria-labelledby': 'talk-time-title',
  }, s('title', { id: 'talk-time-title' }, `Talk time per speaker: ${rows
    .map((r) => `${r.speaker} ${clock(r.talk_time_seconds * 1000)}`).join(', ')}`));
  rows.forEach((row, i) => {
    const y = i * barRow + 5;
    const w = Math.max(2, (row.talk_time_seconds / max) * room);
    const share = Number.isFinite(row.share) ? ` · ${Math.round(row.share * 100)}%${chars > 11 ? ' of words' : ''}` : '';
    svg.append(
      s('text', { x: label - 8, y: y + 17, 'text-anchor': 'end', class: 'chart-label' }, truncate(row.speaker, chars)),
      s('rect', {
        class: 'bar', x: label, y, width: w.toFixed(1), height: barRow - 8, rx: 3,
        fill: SPEAKER_COLOURS[colourOf(row.speaker)], 'data-speaker': row.speaker,
      }, s('title', {}, `${row.speaker}: ${clock(row.talk_time_seconds * 1000)}${share}`)),
      s('text', { x: label + w + 6, y: y + 17, class: 'chart-value' }, `${clock(row.talk_time_seconds * 1000)}${share}`),
    );
  });
  return h('figure', { class: 'figure' }, svg);
}

/** One lane per speaker, a block for every segment, on the meeting's time axis. */
export function whoSpokeWhen(segments, colourOf) {
  const timed = segments.filter((seg) => Number.isFinite(seg.start_ms) && Number.isFinite(seg.end_ms));
  if (!timed.length) return h('p', { class: 'empty' }, 'The transcript has no timings.');
  const names = [...new Set(timed.map((seg) => seg.speaker))];
  const { width: full, label, chars } = layout();
  const lane = 26;
  const axis = 24;
  const height = names.length * lane + axis;
  const end = Math.max(...timed.map((seg) => Math.max(seg.end_ms, seg.start_ms + 1000)), 1);
  const room = full - label - 10;
  const x = (ms) => label + (ms / end) * room;
  const svg = s('svg', {
    class: 'chart who-spoke',
    viewBox: `0 0 ${full} ${height}`,
    role: 'img',
    'aria-labelledby': 'who-spoke-title',
  }, s('title', { id: 'who-spoke-title' }, `Who spoke when over ${clock(end)}: ${names.join(', ')}`));
  names.forEach((name, i) => {
    const y = i * lane;
    svg.append(
      s('text', { x: label - 8, y: y + 17, 'text-anchor': 'end', class: 'chart-label' }, truncate(name, chars)),
      s('line', { x1: label, x2: full - 10, y1: y + lane / 2, y2: y + lane / 2, class: 'lane' }),
    );
  });
  for (const seg of timed) {
    const y = names.indexOf(seg.speaker) * lane + 4;
    const from = x(seg.start_ms);
    const width = Math.max(1.5, x(Math.max(seg.end_ms, seg.start_ms + 1000)) - from);
    svg.append(s('rect', {
      class: 'turn', x: from.toFixed(1), y, width: width.toFixed(1), height: lane - 8,
      fill: SPEAKER_COLOURS[colourOf(seg.speaker)],
    }, s('title', {}, `${seg.speaker} ${clock(seg.start_ms)}–${clock(seg.end_ms)}`)));
  }
  const ticks = chars > 11 ? 5 : 3;
  for (let t = 0; t <= ticks; t += 1) {
    const ms = (end * t) / ticks;
    svg.append(s('text', {
      x: x(ms), y: height - 6, 'text-anchor': t === 0 ? 'start' : t === ticks ? 'end' : 'middle', class: 'chart-axis',
    }, clock(ms)));
  }
  return h('figure', { class: 'figure' }, svg);
}

function truncate(text, n) {
  const str = String(text);
  return str.length > n ? `${str.slice(0, n - 1)}…` : str;
}
