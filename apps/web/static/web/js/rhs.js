// The right-hand panel: a thread with its reply box, pinned and saved messages, and the
// channel's members. The server draws each panel; this module opens, closes and keeps the
// open one live from the socket. Posts shown here are the same `_post.html` as in the
// centre, with their element ids prefixed ("rhs-post-…") so both copies can coexist.

import { api, fragment, toast } from "./api.js";
import { postOf, registerActions } from "./actions.js";
import { redrawPost } from "./channel.js";
import { currentChannel, me, team } from "./state.js";

const PREFIX = "rhs-";
const NEAR_BOTTOM_PX = 120;

const urls = {
  thread: (id) => `/_/rhs/threads/${encodeURIComponent(id)}`,
  pinned: (id) => `/_/rhs/channels/${encodeURIComponent(id)}/pinned`,
  saved: (id) => `/_/rhs/teams/${encodeURIComponent(id)}/saved`,
  members: (id) =>
    `/_/rhs/channels/${encodeURIComponent(id)}/members?team=${encodeURIComponent(team.name)}`,
};

let opener = null; // what had focus before the panel opened, to give it back on close
let latest = 0; // the newest open request; an older, slower answer is dropped

function panel() {
  return document.getElementById("rhs");
}

function app() {
  return document.getElementById("app");
}

// A translated string the chat page carries for this module (see chat.html #rhs-strings).
function text(name) {
  const t = document.querySelector(`#rhs-strings template[data-string="${name}"]`);
  return t ? t.content.textContent.trim() : "";
}

export function current() {
  const el = panel()?.querySelector("[data-rhs-kind]");
  return el && !panel().hidden ? { kind: el.dataset.rhsKind, key: el.dataset.rhsKey, el } : null;
}

function threadRoot() {
  const open = current();
  return open && open.kind === "thread" ? open.key : "";
}

function threadList() {
  return panel()?.querySelector("[data-thread-list]");
}

function scrollArea() {
  return panel()?.querySelector("[data-rhs-scroll]");
}

function nearBottom(area) {
  return !area || area.scrollHeight - area.scrollTop - area.clientHeight < NEAR_BOTTOM_PX;
}

function nodesFrom(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return [...template.content.children];
}

// The post fragment names its element "post-<id>"; inside the panel it is "rhs-post-<id>".
function prefixed(nodes) {
  for (const node of nodes) {
    if (node.id && node.id.startsWith("post-")) node.id = PREFIX + node.id;
  }
  return nodes;
}

function panelPost(postId) {
  return document.getElementById(`${PREFIX}post-${postId}`);
}

function focusPanel(kind) {
  const input = kind === "thread" ? panel().querySelector("#rhs-composer [data-composer-input]") : null;
  (input || panel().querySelector("#rhs-heading"))?.focus({ preventScroll: true });
}

// Open (or redraw) a panel. `keep` redraws the open one in place: the half-written reply
// and the scroll position survive, and focus stays where it was unless it was inside.
export async function openPanel(kind, key, { focus = true, keep = false } = {}) {
  if (!urls[kind] || !key) return;
  const token = ++latest;
  let html;
  try {
    html = await fragment(urls[kind](key));
  } catch (error) {
    if (token !== latest) return;
    if (keep) closePanel({ restoreFocus: false });
    toast(text(error.status === 404 ? "not-found" : "load-failed"));
    return;
  }
  if (token !== latest) return;
  const rhs = panel();
  if (!rhs) return;
  const before = current();
  const same = keep && before && before.kind === kind && before.key === key;
  const draft = same ? rhs.querySelector("#rhs-composer [data-composer-input]")?.value : "";
  const scrollTop = same ? scrollArea()?.scrollTop : 0;
  const hadFocus = rhs.contains(document.activeElement);
  if (!before && !rhs.contains(document.activeElement)) opener = document.activeElement;
  rhs.innerHTML = html;
  rhs.hidden = false;
  app()?.classList.add("has-rhs");
  if (app()) app().dataset.rhs = kind;
  const area = scrollArea();
  if (same && draft) {
    const input = rhs.querySelector("#rhs-composer [data-composer-input]");
    if (input) input.value = draft;
  }
  if (area) area.scrollTop = same ? scrollTop : kind === "thread" ? area.scrollHeight : 0;
  document.dispatchEvent(new CustomEvent("confab:rhs-opened", { detail: { kind, key } }));
  if (focus || (same && hadFocus)) focusPanel(kind);
}

export function closePanel({ restoreFocus = true } = {}) {
  const rhs = panel();
  latest += 1;
  if (!rhs || rhs.hidden) return;
  rhs.hidden = true;
  rhs.replaceChildren();
  app()?.classList.remove("has-rhs");
  if (app()) delete app().dataset.rhs;
  const back = opener;
  opener = null;
  if (restoreFocus && back && back.isConnected) back.focus({ preventScroll: true });
  document.dispatchEvent(new CustomEvent("confab:rhs-closed"));
}

// Open a list panel, or close it when the same one is already open (the header buttons toggle).
function togglePanel(kind, key) {
  const open = current();
  if (open && open.kind === kind && open.key === key) closePanel();
  else openPanel(kind, key);
}

let reloadTimer = null;
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => {
    const open = current();
    if (open) openPanel(open.kind, open.key, { focus: false, keep: true });
  }, 150);
}

// Membership changes come in bursts (a whole group added at once) and reach everyone with
// the panel open, so the members list is drawn again at most once a second: the first
// change starts the wait, later ones ride along. A little jitter keeps every open panel
// from asking at the same instant.
const MEMBERS_RELOAD_MS = 1000;
let membersTimer = null;
function reloadMembersSoon() {
  if (membersTimer) return;
  membersTimer = setTimeout(() => {
    membersTimer = null;
    const open = current();
    if (open && open.kind === "members") openPanel(open.kind, open.key, { focus: false, keep: true });
  }, MEMBERS_RELOAD_MS + Math.floor(Math.random() * 250));
}

// --- the thread ------------------------------------------------------------------------------

let countTimer = null;
function refreshCount() {
  clearTimeout(countTimer);
  countTimer = setTimeout(async () => {
    const root = threadRoot();
    if (!root) return;
    let html;
    try {
      html = await fragment(`${urls.thread(root)}?part=count`);
    } catch {
      return;
    }
    const line = panel()?.querySelector("[data-thread-count]");
    if (!line || threadRoot() !== root) return;
    line.innerHTML = html;
    line.hidden = line.querySelector("[data-count]")?.dataset.count === "0";
  }, 100);
}

async function appendReply(postId) {
  const root = threadRoot();
  const list = threadList();
  if (!root || !list || panelPost(postId)) return;
  const posts = list.querySelectorAll("li.post");
  const after = posts.length ? posts[posts.length - 1].dataset.postId : "";
  const html = await fragment(`/_/posts/${encodeURIComponent(postId)}${after ? "?after=" + after : ""}`);
  if (threadRoot() !== root || panelPost(postId) || !threadList()) return;
  const area = scrollArea();
  const stick = nearBottom(area);
  threadList().append(...prefixed(nodesFrom(html)));
  refreshCount();
  if (stick && area) area.scrollTop = area.scrollHeight;
  document.dispatchEvent(
    new CustomEvent("confab:posts-added", { detail: { ids: [postId], rhs: true } })
  );
}

async function redrawInPanel(postId) {
  const old = panelPost(postId);
  if (!old) return;
  const previous = old.previousElementSibling?.closest("li.post");
  const after = previous ? previous.dataset.postId : "";
  let html;
  try {
    html = await fragment(`/_/posts/${encodeURIComponent(postId)}${after ? "?after=" + after : ""}`);
  } catch (error) {
    if (error.status === 404) removeFromPanel(postId);
    return;
  }
  const nodes = prefixed(nodesFrom(html)).filter((n) => !n.classList.contains("day-separator"));
  const now = panelPost(postId);
  if (now && nodes.length) now.replaceWith(...nodes);
  document.dispatchEvent(new CustomEvent("confab:post-redrawn", { detail: { id: postId, rhs: true } }));
}

function removeFromPanel(postId) {
  if (postId === threadRoot()) {
    closePanel({ restoreFocus: false });
    return;
  }
  const el = panelPost(postId);
  if (el) {
    el.remove();
    refreshCount();
  }
  const item = panel()?.querySelector(`.rhs-item[data-post-id="${CSS.escape(postId)}"]`);
  if (item) reloadSoon();
}

// A post changed: its copy in the centre and in the panel are both drawn again.
export function redrawEverywhere(postId) {
  redrawPost(postId).catch(() => {});
  redrawInPanel(postId).catch(() => {});
}

// --- pins and saves ------------------------------------------------------------------------

async function togglePin(el) {
  const { id } = postOf(el);
  if (!id) return;
  const pinned = el.getAttribute("aria-pressed") === "true";
  try {
    await api("POST", `posts/${encodeURIComponent(id)}/${pinned ? "unpin" : "pin"}`);
  } catch (error) {
    toast(error.message);
    return;
  }
  redrawEverywhere(id);
  if (current()?.kind === "pinned") reloadSoon();
}

async function toggleSave(el) {
  const { id } = postOf(el);
  if (!id) return;
  const saved = el.getAttribute("aria-pressed") === "true";
  const prefs = [{ user_id: me.id, category: "flagged_post", name: id, value: "true" }];
  try {
    if (saved) await api("POST", "users/me/preferences/delete", prefs);
    else await api("PUT", "users/me/preferences", prefs);
  } catch (error) {
    toast(error.message);
    return;
  }
  redrawEverywhere(id);
  if (current()?.kind === "saved") reloadSoon();
}

// --- socket ----------------------------------------------------------------------------------

function parsePost(data) {
  try {
    return typeof data.post === "string" ? JSON.parse(data.post) : data.post;
  } catch {
    return null;
  }
}

function listShows(postId) {
  return Boolean(panel()?.querySelector(`.rhs-item[data-post-id="${CSS.escape(postId)}"]`));
}

export function posted(data) {
  const post = parsePost(data);
  if (post && post.root_id && post.root_id === threadRoot()) appendReply(post.id).catch(() => {});
}

export function postEdited(data) {
  const post = parsePost(data);
  if (!post) return;
  redrawInPanel(post.id).catch(() => {});
  const open = current();
  if (!open) return;
  if ((open.kind === "pinned" && open.key === post.channel_id) || listShows(post.id)) reloadSoon();
}

export function postDeleted(data) {
  const post = parsePost(data);
  if (post) removeFromPanel(post.id);
}

export function reactionChanged(data) {
  try {
    redrawInPanel(JSON.parse(data.reaction).post_id).catch(() => {});
  } catch {
    /* an unreadable event changes nothing */
  }
}

// `preferences_changed`, `preferences_deleted`: saving a post in another tab or client;
// its bookmark button and the saved list follow.
export function savedPostsChanged(data) {
  let prefs = [];
  try {
    prefs = JSON.parse(data.preferences || "[]");
  } catch {
    return;
  }
  const flagged = prefs.filter((p) => p.category === "flagged_post").map((p) => p.name);
  if (!flagged.length) return;
  flagged.forEach((id) => redrawEverywhere(id));
  if (current()?.kind === "saved") reloadSoon();
}

// `user_added`, `channel_member_updated`: the open members list of that channel is
// drawn again.
export function channelMembersChanged(data, broadcast) {
  const open = current();
  if (!open || open.kind !== "members") return;
  if ((data.channel_id || broadcast.channel_id) === open.key) reloadMembersSoon();
}

// `user_removed`: as above; and when you are the one removed, whatever list is open.
export function channelMemberRemoved(data, broadcast) {
  const open = current();
  if (!open || open.kind !== "members") return;
  const removedMe = data.user_id ? data.user_id === me.id : broadcast.user_id === me.id;
  if ((data.channel_id || broadcast.channel_id) === open.key || removedMe) reloadMembersSoon();
}

// `leave_team` of someone else: they left every channel of that team, so an open members
// list of a channel of the team is drawn again.
export function teamMembersChanged(data) {
  const open = current();
  if (!open || open.kind !== "members" || data.user_id === me.id) return;
  if (open.el.dataset.teamId === data.team_id) reloadMembersSoon();
}

// --- start -----------------------------------------------------------------------------------

export function startRhs() {
  registerActions({
    "open-thread": (el) => {
      const id = el.dataset.postId || postOf(el).id;
      if (!id) return;
      if (threadRoot() === id) focusPanel("thread");
      else openPanel("thread", id);
    },
    "show-pinned": () => {
      const channel = currentChannel();
      if (channel) togglePanel("pinned", channel.id);
    },
    "show-members": () => {
      const channel = currentChannel();
      if (channel) togglePanel("members", channel.id);
    },
    "show-saved": () => {
      if (team.id) togglePanel("saved", team.id);
    },
    "rhs-close": () => closePanel(),
    "toggle-pin": togglePin,
    "toggle-save": toggleSave,
  });
  // A reply sent from the panel shows at once, without waiting for the socket's echo.
  document.addEventListener("confab:sent", (event) => {
    const post = event.detail;
    if (post && post.root_id && post.root_id === threadRoot()) appendReply(post.id).catch(() => {});
  });
  // The channel's own panels follow the channel; a thread and the saved list stay.
  document.addEventListener("confab:channel-opened", (event) => {
    const open = current();
    const channel = event.detail;
    if (open && channel && (open.kind === "pinned" || open.kind === "members") && open.key !== channel.id) {
      openPanel(open.kind, channel.id, { focus: false });
    }
  });
  document.addEventListener("confab:resync", () => {
    const open = current();
    if (open) openPanel(open.kind, open.key, { focus: false, keep: true });
  });
  // Escape inside the panel (outside a text field and any popup) closes it.
  panel()?.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    if (event.target.closest("textarea, input, .post-edit, [data-autocomplete]")) return;
    event.preventDefault();
    closePanel();
  });
}
