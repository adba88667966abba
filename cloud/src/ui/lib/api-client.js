/**
 * The dashboard's only door to the service: JSON in and out, the admin key
 * sent as x-api-key when one is set, and every failure turned into an
 * ApiRequestError that carries the service's own `message` for people.
 */

/** An answer other than 2xx (or no answer at all: status 0). */
export class ApiRequestError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the service could not be reached
   * @param {string} code the service's stable code (`NETWORK` when unreachable)
   * @param {string} message the service's message, meant for people
   * @param {Record<string, unknown>} body the whole error body (e.g. `job_id` on a 409)
   */
  constructor(status, code, message, body = {}) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/**
 * @typedef {object} KeySource
 * @property {() => string} get  the admin key, '' when none
 */

export class ApiClient {
  /** @param {KeySource} keys */
  constructor(keys) {
    this.keys = keys;
  }

  /** Headers every request carries (the SSE client uses them too). */
  authHeaders() {
    const key = this.keys.get();
    return key ? { 'x-api-key': key } : {};
  }

  /** @param {string} path @returns {Promise<any>} */
  get(path) {
    return this.request('GET', path);
  }

  /** @param {string} method @param {string} path @param {unknown} [body] @returns {Promise<any>} */
  send(method, path, body) {
    return this.request(method, path, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' });
  }

  /** @param {string} path @param {FormData} form @returns {Promise<any>} */
  postForm(path, form) {
    return this.request('POST', path, form);
  }

  /**
   * Fetches a binary resource with the key and returns an object URL for it
   * (for <img>/<audio>, which cannot send headers). The caller revokes it.
   * @param {string} path
   */
  async blobUrl(path) {
    const res = await this.fetch('GET', path);
    if (!res.ok) throw await toError(res);
    return URL.createObjectURL(await res.blob());
  }

  /**
   * @param {string} method @param {string} path
   * @param {BodyInit} [body] @param {Record<string, string>} [headers]
   */
  async request(method, path, body, headers = {}) {
    const res = await this.fetch(method, path, body, headers);
    if (!res.ok) throw await toError(res);
    if (res.status === 204) return null;
    return res.json();
  }

  /**
   * @param {string} method @param {string} path
   * @param {BodyInit} [body] @param {Record<string, string>} [headers]
   */
  async fetch(method, path, body, headers = {}) {
    try {
      return await fetch(path, { method, body, headers: { accept: 'application/json', ...this.authHeaders(), ...headers }, cache: 'no-store' });
    } catch (err) {
      throw new ApiRequestError(0, 'NETWORK', `the service could not be reached (${err instanceof Error ? err.message : String(err)})`);
    }
  }
}

/** @param {Response} res */
async function toError(res) {
  /** @type {Record<string, unknown>} */
  let body = {};
  try {
    body = await res.json();
  } catch {
    // A proxy's HTML error page, or nothing: fall back to the status line.
  }
  const message = typeof body.message === 'string' && body.message ? body.message : `${res.status} ${res.statusText || 'error'}`;
  const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
  return new ApiRequestError(res.status, code, message, body);
}
