// The REST API over the session cookie; unsafe methods carry the CSRF token.

export { qs } from "./payload.js";

// Set once the page is being left (signing out posts a form): answers and socket closes that
// arrive meanwhile must not send the browser somewhere else.
let leaving = false;
window.addEventListener("beforeunload", () => (leaving = true));
window.addEventListener("pageshow", () => (leaving = false));

/** Signed out (or the session expired): to the sign-in page, back here afterwards. */
export function toLogin() {
  if (!leaving) window.location.assign(`/login/?next=${encodeURIComponent(location.pathname)}`);
}

export class ApiError extends Error {
  constructor(status, data) {
    super((data && (data.detail || firstError(data))) || `Request failed (${status})`);
    this.status = status;
    this.data = data;
    this.code = data && data.code;
  }
}

function firstError(data) {
  if (!data || typeof data !== "object") return "";
  for (const value of Object.values(data)) {
    if (Array.isArray(value) && value.length) return String(value[0]);
    if (typeof value === "string") return value;
  }
  return "";
}

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

export async function api(method, url, body, { signal } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", signal };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (!/^(GET|HEAD|OPTIONS)$/.test(method)) headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(url, init);
  noteServerTime(response.headers.get("Date"));
  if (response.status === 401) toLogin();
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// How far the server's clock is ahead of ours (ms), from the Date header of its answers; used to
// ask the server for changes "since" a moment in its own time.
let clockOffset = 0;

function noteServerTime(header) {
  const server = header ? Date.parse(header) : NaN;
  if (!Number.isNaN(server)) clockOffset = server - Date.now();
}

export function serverNow() {
  return Date.now() + clockOffset;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** POST a FormData with XMLHttpRequest, since fetch cannot report upload progress. Returns
 * {promise, abort}: the promise gives the answer's JSON, or fails with an ApiError whose message
 * is the server's sentence, else `fallbacks[status]` (`retryAfter` in seconds, `aborted` set
 * when cancelled). `onProgress(fraction)` follows the upload. */
export function postForm(url, form, { onProgress = () => {}, fallbacks = {} } = {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.upload.addEventListener("progress", (event) => event.lengthComputable && onProgress(event.loaded / event.total));
    xhr.addEventListener("load", () => {
      noteServerTime(xhr.getResponseHeader("Date"));
      const data = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(data);
        return;
      }
      if (xhr.status === 401) toLogin();
      const error = new ApiError(xhr.status, data);
      if (!(data && data.detail)) error.message = fallbacks[xhr.status] || `The upload failed (${xhr.status}).`;
      error.retryAfter = Number(xhr.getResponseHeader("Retry-After")) || 0;
      reject(error);
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, { detail: "The connection was lost during the upload. Try again." })));
    xhr.addEventListener("abort", () => reject(Object.assign(new ApiError(0, { detail: "Cancelled." }), { aborted: true })));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

export const get = (url, opts) => api("GET", url, undefined, opts);
export const post = (url, body) => api("POST", url, body ?? {});
export const patch = (url, body) => api("PATCH", url, body);
export const del = (url, body) => api("DELETE", url, body);
