// SPDX-License-Identifier: GPL-3.0-or-later
// The JSON API of docs/server.md. State-changing requests carry the
// session's CSRF token; a 401 anywhere sends the user back to sign in.

let csrf = null;
let onUnauthorised = () => {};

export function setCsrf(token) { csrf = token; }
export function whenUnauthorised(fn) { onUnauthorised = fn; }

export async function api(method, path, body) {
  const opts = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  if (method !== 'GET' && csrf) opts.headers['X-CSRF-Token'] = csrf;
  let r;
  try {
    r = await fetch(path, opts);
  } catch (e) {
    return { status: 0, data: { error: 'the server cannot be reached' } };
  }
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (r.status === 401 && path !== '/api/login') onUnauthorised();
  return { status: r.status, data };
}

export const enc = encodeURIComponent;
