// Drafts: what is half-typed in a composer is kept on the server per channel and per
// thread (Mattermost's synced drafts: POST /drafts, GET /users/me/teams/{id}/drafts,
// DELETE /users/me/channels/{id}/drafts[/{root}]), so it survives a channel switch, a
// reload and a move to another browser. This module only listens to the composers
// (input, `confab:sent`) and fills them when a channel or thread opens; composer.js knows
// nothing of it.

import { api, cookie } from "./api.js";
import { me, team } from "./state.js";

const SAVE_AFTER_MS = 500;
// Each box's last state is also written to this browser's storage as it is typed, sent
// or emptied: a reload can fetch the drafts before the server has handled the save (or
// the delete) the old page sent as it went, and the server then answers with the state
// before it. A local state newer than the server's, and recent enough that no other
// browser can have overtaken it unseen, wins; it is sent to the server again.
const LOCAL_TRUST_MS = 60_000;
const localKey = (key) => `confab-draft:${me.id}:${key}`;

function remember(key, message) {
  try {
    localStorage.setItem(localKey(key), JSON.stringify({ message, at: Date.now() }));
  } catch {
    // Storage full or refused (private mode): the server's copy is all there is.
  }
}

function recalled(key) {
  try {
    const state = JSON.parse(localStorage.getItem(localKey(key)) || "null");
    return state && Date.now() - state.at < LOCAL_TRUST_MS ? state : null;
  } catch {
    return null;
  }
}

function recalledKeys() {
  const prefix = localKey("");
  const keys = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const name = localStorage.key(i);
    if (name?.startsWith(prefix)) keys.push(name.slice(prefix.length));
  }
  return keys;
}

// "channel_id:root_id" → the text this page last knew for that box (ours or the server's).
const known = new Map();
// Boxes typed into and not yet saved: key → { timer, channelId, rootId, message }.
const pending = new Map();
// One request at a time per box, in order, so a late save never revives a deleted draft;
// `inFlight` counts a box's unanswered requests (their echoes on the socket are old news).
const queues = new Map();
const inFlight = new Map();

const keyOf = (channelId, rootId) => `${channelId}:${rootId || ""}`;

function composerBoxes() {
  return [...document.querySelectorAll("form.composer")]
    .map((form) => ({ form, input: form.querySelector("[data-composer-input]") }))
    .filter(({ form, input }) => input && form.dataset.channelId);
}

function enqueue(key, request) {
  inFlight.set(key, (inFlight.get(key) || 0) + 1);
  const next = (queues.get(key) || Promise.resolve())
    .then(request)
    .catch(() => {})
    .finally(() => inFlight.set(key, inFlight.get(key) - 1));
  queues.set(key, next);
  return next;
}

// Being typed in or saved from this page: what the server says about it is older.
const busy = (key) => pending.has(key) || inFlight.get(key) > 0;

function draftPath(channelId, rootId) {
  const base = `users/me/channels/${encodeURIComponent(channelId)}/drafts`;
  return rootId ? `${base}/${encodeURIComponent(rootId)}` : base;
}

// The last state asked of the server per box, for the page's goodbye (flushAll).
const wanted = new Map();

function write({ channelId, rootId, message }, { keepalive = false } = {}) {
  const key = keyOf(channelId, rootId);
  wanted.set(key, { channelId, rootId, message });
  if (keepalive) return sendOnUnload({ channelId, rootId, message });
  return enqueue(key, () =>
    message.trim()
      ? api("POST", "drafts", { user_id: "me", channel_id: channelId, root_id: rootId, message })
      : api("DELETE", draftPath(channelId, rootId)),
  );
}

// The page is going away: a fetch with keepalive outlives it, where api()'s would not.
function sendOnUnload({ channelId, rootId, message }) {
  const headers = {
    "X-Requested-With": "XMLHttpRequest",
    "X-CSRF-Token": cookie("MMCSRF"),
    "Content-Type": "application/json",
  };
  const init = { headers, credentials: "same-origin", keepalive: true };
  if (message.trim()) {
    const body = { user_id: "me", channel_id: channelId, root_id: rootId, message };
    fetch("/api/v4/drafts", { ...init, method: "POST", body: JSON.stringify(body) }).catch(() => {});
  } else {
    fetch(`/api/v4/${draftPath(channelId, rootId)}`, { ...init, method: "DELETE" }).catch(() => {});
  }
}

function flush(key, options) {
  const entry = pending.get(key);
  if (!entry) return;
  clearTimeout(entry.timer);
  pending.delete(key);
  write(entry, options);
}

function flushAll(options) {
  for (const key of [...pending.keys()]) flush(key, options);
  if (!options?.keepalive) return;
  // Requests still queued die with the page: send each box's last state once more, so
  // a draft sent or emptied just before a reload does not come back.
  for (const [key, state] of wanted) {
    if (inFlight.get(key) > 0) sendOnUnload(state);
  }
}

function typed(form, input) {
  const channelId = form.dataset.channelId;
  const rootId = form.dataset.rootId || "";
  const key = keyOf(channelId, rootId);
  const message = input.value;
  known.set(key, message);
  remember(key, message);
  const previous = pending.get(key);
  if (previous) clearTimeout(previous.timer);
  const entry = { channelId, rootId, message };
  // An emptied box (a sent command, the text deleted) is no draft: delete it at once.
  entry.timer = setTimeout(() => flush(key), message.trim() ? SAVE_AFTER_MS : 0);
  pending.set(key, entry);
}

function sent(form) {
  const channelId = form.dataset.channelId;
  const rootId = form.dataset.rootId || "";
  const key = keyOf(channelId, rootId);
  const entry = pending.get(key);
  if (entry) clearTimeout(entry.timer);
  pending.delete(key);
  known.set(key, "");
  remember(key, "");
  write({ channelId, rootId, message: "" });
}

// Fill the boxes on screen from what is known. A box is only overwritten while it shows
// what this page last knew for it (nothing, or the previous version of the draft): text
// typed here and not yet saved is never replaced.
function restore(previous = new Map()) {
  for (const { form, input } of composerBoxes()) {
    const key = keyOf(form.dataset.channelId, form.dataset.rootId);
    const message = known.get(key);
    if (message === undefined || message === input.value) continue;
    const inSync =
      !input.value || input.value === form.dataset.draftShown || input.value === previous.get(key);
    if (!inSync) continue;
    input.value = message;
    form.dataset.draftShown = message;
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 240)}px`;
  }
}

// The team's drafts from the server (on load, on a channel opened and after a reconnect).
async function load() {
  if (!team.id) return;
  let drafts;
  try {
    drafts = await api("GET", `users/me/teams/${encodeURIComponent(team.id)}/drafts`);
  } catch {
    return;
  }
  const listed = new Map();
  const previous = new Map();
  for (const draft of drafts || []) {
    const key = keyOf(draft.channel_id, draft.root_id);
    listed.set(key, draft);
    if (!busy(key)) {
      previous.set(key, known.get(key));
      known.set(key, draft.message);
    }
  }
  // Gone on the server (sent or emptied elsewhere): forget them unless typed here since.
  for (const key of [...known.keys()]) {
    if (!listed.has(key) && !busy(key) && known.get(key)) {
      previous.set(key, known.get(key));
      known.set(key, "");
    }
  }
  // This browser's own last word, when the server has not heard it yet.
  for (const key of recalledKeys()) {
    const local = recalled(key);
    const server = listed.get(key);
    if (!local || busy(key) || (server && server.update_at >= local.at)) continue;
    if ((server?.message || "") === local.message) continue;
    previous.set(key, known.get(key));
    known.set(key, local.message);
    const [channelId, rootId] = key.split(":");
    write({ channelId, rootId, message: local.message });
  }
  restore(previous);
}

// --- socket events (the table: events.js) ------------------------------------------------------

function parseDraft(data) {
  try {
    return JSON.parse(data.draft);
  } catch {
    return null;
  }
}

function learn(draft, message) {
  const key = keyOf(draft.channel_id, draft.root_id);
  if (busy(key)) return;
  const previous = new Map([[key, known.get(key)]]);
  known.set(key, message);
  restore(previous);
}

export function draftChanged(data) {
  const draft = parseDraft(data);
  if (draft) learn(draft, draft.message);
}

export function draftDeleted(data) {
  const draft = parseDraft(data);
  if (draft) learn(draft, "");
}

export function startDrafts() {
  document.addEventListener("input", (event) => {
    const input = event.target.closest?.("[data-composer-input]");
    const form = input?.closest("form.composer");
    if (form && form.dataset.channelId) typed(form, input);
  });
  document.addEventListener("confab:sent", (event) => {
    const form = event.target.closest?.("form.composer");
    if (form && form.dataset.channelId) sent(form);
  });
  // A channel or thread opened: show its draft at once from memory, then ask the server,
  // which knows of drafts written in another browser while the socket was away.
  document.addEventListener("confab:channel-opened", () => {
    restore();
    load();
  });
  document.addEventListener("confab:rhs-opened", () => restore());
  // Another channel replaces the centre: what was typed in it is saved now.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target?.id === "center") flushAll();
  });
  document.addEventListener("confab:resync", () => load());
  // Leaving the page or hiding it (a phone switching apps) saves what is waiting.
  window.addEventListener("pagehide", () => flushAll({ keepalive: true }));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushAll({ keepalive: true });
  });
  load();
}
