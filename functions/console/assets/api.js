// The public API, called with the key the user typed. The key lives only in this tab's
// sessionStorage (gone when the tab closes) and is sent as `Authorization: Bearer`.

import { h } from './dom.js';

const KEY = 'pailflow.console.key';

export function getKey() {
  return sessionStorage.getItem(KEY);
}

export function setKey(key) {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY);
}

/** A refusal or failure, with what the page needs to explain it. */
export class ApiError extends Error {
  constructor({ status, code, detail, message, retryAfter }) {
    super(detail || message || `HTTP ${status}`);
    this.status = status; // 0: the request never got an answer
    this.code = code || null;
    this.detail = detail || null;
    this.hint = message || null;
    this.retryAfter = retryAfter;
  }
}

async function send(method, path, { body, key, accept } = {}) {
  const headers = { Authorization: `Bearer ${key ?? getKey() ?? ''}` };
  if (accept) headers.Accept = accept;
  const init = { method, headers, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    throw new ApiError({ status: 0, detail: `The API could not be reached (${cause.message}).` });
  }
  if (!response.ok) {
    let error = {};
    try {
      error = await response.json();
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    const retry = response.headers.get('Retry-After');
    throw new ApiError({
      status: response.status,
      code: typeof error.error === 'string' ? error.error : null,
      detail: typeof error.detail === 'string' ? error.detail : null,
      message: typeof error.message === 'string' ? error.message : null,
      retryAfter: retry === null ? null : Number(retry),
    });
  }
  return response;
}

/** A JSON route; null for 204. */
export async function api(method, path, options) {
  const response = await send(method, path, options);
  if (response.status === 204) return null;
  return response.json();
}

/** A file route (an export), saved through a Blob URL so the key header is sent. */
export async function download(path, filename) {
  const response = await send('GET', path);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One sentence for an error, for the alert box. */
export function explain(error) {
  if (!(error instanceof ApiError)) return `Unexpected error: ${error.message}`;
  if (error.status === 0) return `Network error: ${error.detail} Check your connection and try again.`;
  if (error.status === 401) return 'The API key was refused (401). Sign in again with a valid key.';
  if (error.status === 429) {
    const wait = Number.isFinite(error.retryAfter) ? ` Try again in ${error.retryAfter} s (Retry-After).` : '';
    return `Too many requests (429): ${error.detail || 'a limit was reached'}.${wait}`;
  }
  const what = [error.detail, error.hint].filter(Boolean).join(' ');
  return `${error.status} ${error.code || 'error'}: ${what || error.message}`;
}

/** The alert box of a page: the error in one sentence, announced to screen readers; a
 * refused key offers to sign in again (the shell shows the sign-in page once it is gone). */
export function alertBox(error, { signInAgain = true } = {}) {
  const box = h('div', { class: 'alert', role: 'alert' }, explain(error));
  if (signInAgain && error instanceof ApiError && error.status === 401) {
    box.append(' ', h('button', {
      type: 'button',
      onclick: () => {
        forgetKey();
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      },
    }, 'Sign in again'));
  }
  return box;
}

/** A confirmation in the same place alerts go, announced politely. */
export function notice(text) {
  return h('div', { class: 'notice', role: 'status' }, text);
}

export const enc = encodeURIComponent;
