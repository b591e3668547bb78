// Building the page from data without ever parsing data as HTML: every value from the API
// becomes a text node (textContent) or an attribute set by name; SVG through createElementNS.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (name === 'text') {
      node.textContent = String(value);
    } else if (value === true) {
      node.setAttribute(name, '');
    } else {
      node.setAttribute(name, String(value));
    }
  }
  return node;
}

/** An HTML element: h('a', {href: '#/bots'}, 'Bots', child, ...). */
export function h(tag, attrs, ...children) {
  return append(setAttrs(document.createElement(tag), attrs), children);
}

/** An SVG element, with the same arguments as h(). */
export function s(tag, attrs, ...children) {
  return append(setAttrs(document.createElementNS(SVG_NS, tag), attrs), children);
}

/** Replace a node's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** "2025-01-15 10:00:00 UTC" from an RFC 3339 time, or a dash. */
export function when(value) {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace('Z', ' UTC');
}

/** "m:ss" (or "h:mm:ss") from milliseconds. */
export function clock(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A status word as a coloured badge (the colour is a class; the word is the text). */
export function badge(value) {
  const word = value === null || value === undefined ? 'none' : String(value);
  return h('span', { class: `badge badge-${word.replace(/[^a-z_]/g, '')}` }, word);
}

/** Speaker name -> palette index, stable within one page. */
export function speakerPalette(names) {
  const index = new Map();
  for (const name of names) if (!index.has(name)) index.set(name, index.size % 8);
  return (name) => index.get(name) ?? 0;
}

/** Fill colours of the eight speaker classes (charts), matching app.css's .spk-N text. */
export const SPEAKER_COLOURS = ['#1d4ed8', '#b91c1c', '#047857', '#7c3aed', '#b45309', '#be185d', '#0e7490', '#4d7c0f'];

/** A definition list of key/value pairs (metadata). */
export function pairs(obj) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return h('span', { class: 'muted' }, 'none');
  return h('ul', { class: 'chips' }, entries.map(([k, v]) => h('li', { class: 'chip' }, `${k}=${v}`)));
}
