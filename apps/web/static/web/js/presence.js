// Who is around: the presence dots (`[data-presence-user]`) follow `status_change`
// events and are fetched for whatever the page shows after each swap; "x is typing…"
// under the message list follows `typing` events; the account menu sets your own status.

import { api, toast } from "./api.js";
import { registerActions } from "./actions.js";
import { currentChannel, me } from "./state.js";

const STATUSES = ["online", "away", "dnd", "offline"];
const TYPING_SHOWN_MS = 5000;
const ID = /^[a-z0-9]{26}$/;

const known = new Map(); // user id -> last status heard

// --- presence dots ----------------------------------------------------------------------------

function dotsOf(userId) {
  return document.querySelectorAll(`[data-presence-user="${CSS.escape(userId)}"]`);
}

// The status's name in the reader's language, as the account menu shows it.
function statusLabel(status) {
  const item = document.querySelector(`[data-action="set-status"][data-status="${status}"]`);
  return item ? item.textContent.trim() : "";
}

export function applyStatus(userId, status) {
  if (!STATUSES.includes(status)) return;
  known.set(userId, status);
  for (const dot of dotsOf(userId)) {
    for (const s of STATUSES) dot.classList.toggle(`presence--${s}`, s === status);
    dot.dataset.status = status;
    // Dots that name the status (the members list) say the new one.
    if (dot.hasAttribute("title")) dot.title = statusLabel(status) || dot.title;
  }
  if (userId === me.id) {
    for (const item of document.querySelectorAll('[data-action="set-status"]')) {
      item.setAttribute("aria-checked", String(item.dataset.status === status));
    }
  }
}

export function myStatus() {
  return known.get(me.id) || "online";
}

let scanTimer = null;
let scanEveryone = false;
// Fetch the status of everyone with a dot on the page (debounced: swaps come in bursts).
// With `everyone: false` (a post added to the list) only people not heard of yet are
// asked about: the others' dots already follow `status_change`.
export function refreshPresence({ everyone = true } = {}) {
  scanEveryone ||= everyone;
  clearTimeout(scanTimer);
  scanTimer = setTimeout(async () => {
    const askAll = scanEveryone;
    scanEveryone = false;
    const ids = new Set();
    for (const dot of document.querySelectorAll("[data-presence-user]")) {
      const id = dot.dataset.presenceUser;
      if (!ID.test(id)) continue;
      if (askAll || !known.has(id)) ids.add(id);
      if (known.has(id)) applyStatus(id, known.get(id)); // no flicker while we ask
    }
    if (!ids.size) return;
    try {
      const statuses = await api("POST", "users/status/ids", [...ids]);
      for (const s of statuses || []) applyStatus(s.user_id, s.status);
    } catch {
      /* the dots keep what the server drew */
    }
  }, 60);
}

async function setStatus(el) {
  const status = el.dataset.status;
  try {
    await api("PUT", "users/me/status", { user_id: me.id, status });
    applyStatus(me.id, status);
    el.closest("details")?.removeAttribute("open");
  } catch (error) {
    toast(error.message);
  }
}

// --- typing ----------------------------------------------------------------------------------

const typists = new Map(); // user id -> timer
const usernames = new Map(); // user id -> Promise<username>

function username(userId) {
  if (!usernames.has(userId)) {
    const lookup = api("POST", "users/ids", [userId])
      .then((users) => (users && users[0] ? users[0].username : ""))
      .catch(() => {
        usernames.delete(userId);
        return "";
      });
    usernames.set(userId, lookup);
  }
  return usernames.get(userId);
}

async function drawTyping() {
  const box = document.getElementById("typing");
  if (!box) return;
  const ids = [...typists.keys()];
  const names = await Promise.all(ids.map(username));
  // Someone may have stopped (or the channel changed) while the names were looked up.
  const shown = names.filter((name, i) => name && typists.has(ids[i]));
  const text = document.getElementById("nav-typing-strings")?.dataset || {};
  if (!shown.length) {
    box.textContent = "";
  } else if (shown.length === 1) {
    box.textContent = (text.one || "{name} …").replace("{name}", shown[0]);
  } else {
    const lang = document.documentElement.lang || undefined;
    const list = new Intl.ListFormat(lang, { type: "conjunction" }).format(shown);
    box.textContent = (text.many || "{names} …").replace("{names}", list);
  }
  box.classList.toggle("is-active", shown.length > 0);
}

function stopTyping(userId) {
  if (!typists.has(userId)) return;
  clearTimeout(typists.get(userId));
  typists.delete(userId);
  drawTyping();
}

function clearTyping() {
  for (const timer of typists.values()) clearTimeout(timer);
  typists.clear();
  drawTyping();
}

// --- socket events (the table: events.js) ------------------------------------------------------

// `status_change`: every dot of that user on the page follows (the sidebar's direct
// messages, the members list, posts' avatars, your own account menu).
export function statusChanged(data) {
  if (data.user_id) applyStatus(data.user_id, data.status);
}

export function typing(data, broadcast) {
  const channel = currentChannel();
  const userId = data.user_id;
  if (!channel || broadcast.channel_id !== channel.id || !userId || userId === me.id) return;
  if (data.parent_id) return; // replies in a thread are typed in the thread panel
  clearTimeout(typists.get(userId));
  typists.set(userId, setTimeout(() => stopTyping(userId), TYPING_SHOWN_MS));
  drawTyping();
}

// `posted`: whoever posted has stopped typing.
export function posted(data) {
  try {
    const post = typeof data.post === "string" ? JSON.parse(data.post) : data.post;
    if (post && post.channel_id === currentChannel()?.id) stopTyping(post.user_id);
  } catch {
    /* an unreadable event changes nothing */
  }
}

export function startPresence() {
  document.addEventListener("confab:channel-opened", () => {
    clearTyping();
    refreshPresence();
  });
  document.body.addEventListener("htmx:afterSwap", () => refreshPresence());
  // A post drawn one at a time (new, edited, a reply in the thread panel) gets its dot.
  for (const name of ["confab:posts-added", "confab:post-redrawn"]) {
    document.addEventListener(name, () => refreshPresence({ everyone: false }));
  }
  for (const name of ["confab:rhs-opened", "confab:presence-scan", "confab:resync"]) {
    document.addEventListener(name, () => refreshPresence());
  }
  registerActions({ "set-status": (el) => setStatus(el) });
  refreshPresence();
}
