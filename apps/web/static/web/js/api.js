// The REST API as the page calls it: the session cookie authenticates, and every write
// echoes the MMCSRF cookie in X-CSRF-Token (SECURITY.md 5), as Mattermost's web app does.

export function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body) {
  const headers = { "X-Requested-With": "XMLHttpRequest" };
  if (method !== "GET") headers["X-CSRF-Token"] = cookie("MMCSRF");
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/api/v4/${path}`, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// An HTML fragment of the web client (a post, the sidebar), fetched with the page's cookies.
export async function fragment(path) {
  const response = await fetch(path, {
    credentials: "same-origin",
    headers: { "HX-Request": "true" },
  });
  if (!response.ok) throw new ApiError(response.status, null);
  return response.text();
}

export function toast(message) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 4000);
}

export function newPendingId(userId) {
  return `${userId}:${Date.now()}${Math.floor(Math.random() * 1000)}`;
}
