// The open channel's message list, kept live from the socket: new posts appear, edits
// and reactions redraw their post, deletions vanish, other channels light up the sidebar.
// Posts are drawn by the server (one markdown renderer, one sanitizer); the page only
// fetches and places the HTML.

import { api, fragment } from "./api.js";
import { currentChannel, me, team } from "./state.js";

const NEAR_BOTTOM_PX = 120;

function scroller() {
  return document.getElementById("message-scroller");
}

function list() {
  return document.getElementById("message-list");
}

function nearBottom() {
  const s = scroller();
  return !s || s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
}

export function scrollToBottom() {
  const s = scroller();
  if (s) s.scrollTop = s.scrollHeight;
}

function lastPostId() {
  const posts = list()?.querySelectorAll("li.post");
  return posts && posts.length ? posts[posts.length - 1].dataset.postId : "";
}

function nodesFrom(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return [...template.content.children];
}

export async function appendPost(postId) {
  if (document.getElementById(`post-${postId}`)) return;
  // Reading the past after a jump: the newest posts arrive with the loader at the bottom.
  if (list()?.querySelector(".history-loader--newer")) return;
  const stick = nearBottom();
  const after = lastPostId();
  const html = await fragment(`/_/posts/${postId}${after ? "?after=" + after : ""}`);
  if (document.getElementById(`post-${postId}`) || !list()) return;
  list().append(...nodesFrom(html));
  document.dispatchEvent(new CustomEvent("confab:posts-added", { detail: { ids: [postId] } }));
  if (stick) scrollToBottom();
}

export async function redrawPost(postId) {
  const old = document.getElementById(`post-${postId}`);
  if (!old) return;
  const previous = old.previousElementSibling?.closest("li.post");
  const after = previous ? previous.dataset.postId : "";
  let html;
  try {
    html = await fragment(`/_/posts/${postId}${after ? "?after=" + after : ""}`);
  } catch (error) {
    if (error.status === 404) old.remove();
    return;
  }
  const nodes = nodesFrom(html).filter((n) => !n.classList.contains("day-separator"));
  const current = document.getElementById(`post-${postId}`);
  if (current && nodes.length) current.replaceWith(...nodes);
  document.dispatchEvent(new CustomEvent("confab:post-redrawn", { detail: { id: postId } }));
}

let viewTimer = null;
export function markViewed() {
  const channel = currentChannel();
  if (!channel || !channel.member) return;
  clearTimeout(viewTimer);
  viewTimer = setTimeout(() => {
    api("POST", "channels/members/me/view", { channel_id: channel.id }).catch(() => {});
  }, 150);
}

let sidebarTimer = null;
export function refreshSidebar() {
  clearTimeout(sidebarTimer);
  sidebarTimer = setTimeout(() => {
    const sidebar = document.getElementById("sidebar");
    const channel = currentChannel();
    if (sidebar && channel) sidebar.setAttribute("hx-vals", JSON.stringify({ current: channel.id }));
    document.body.dispatchEvent(new CustomEvent("confab:sidebar"));
  }, 200);
}

function parsePost(data) {
  try {
    return typeof data.post === "string" ? JSON.parse(data.post) : data.post;
  } catch {
    return null;
  }
}

function focusTarget() {
  const focus = new URLSearchParams(location.search).get("focus");
  if (focus) return document.getElementById(`post-${focus}`);
  const unread = list()?.dataset.firstUnread;
  return unread ? document.getElementById(`post-${unread}`) : null;
}

// Called on load and whenever htmx swaps a new channel into the centre.
export function channelOpened() {
  const channel = currentChannel();
  if (!channel) return;
  document.title = channel.el.dataset.title || document.title;
  for (const link of document.querySelectorAll(".channel-link")) {
    const active = link.dataset.channelId === channel.id;
    link.classList.toggle("is-active", active);
    if (active) {
      link.classList.remove("is-unread");
      link.setAttribute("aria-current", "page");
      link.querySelector("[data-mention-badge]")?.remove();
    } else {
      link.removeAttribute("aria-current");
    }
  }
  const target = focusTarget();
  if (target) {
    const unreadMarker = !new URLSearchParams(location.search).get("focus");
    if (unreadMarker) target.classList.add("is-first-unread");
    else target.classList.add("is-focused");
    target.scrollIntoView({ block: "center" });
  } else {
    scrollToBottom();
  }
  markViewed();
  document.querySelector("#composer [data-composer-input]")?.focus({ preventScroll: true });
  document.dispatchEvent(new CustomEvent("confab:channel-opened", { detail: channel }));
}

// --- socket events (the table: events.js) ------------------------------------------------------

export function posted(data) {
  const post = parsePost(data);
  if (!post) return;
  const channel = currentChannel();
  if (channel && post.channel_id === channel.id) {
    appendPost(post.id).catch(() => {});
    if (post.root_id) redrawPost(post.root_id).catch(() => {});
    if (document.visibilityState === "visible") markViewed();
    else refreshSidebar();
  } else {
    refreshSidebar();
  }
}

export function postEdited(data) {
  const post = parsePost(data);
  if (post) redrawPost(post.id).catch(() => {});
}

export function postDeleted(data) {
  const post = parsePost(data);
  if (!post) return;
  document.getElementById(`post-${post.id}`)?.remove();
  if (post.root_id) redrawPost(post.root_id).catch(() => {});
}

export function reactionChanged(data) {
  try {
    const reaction = JSON.parse(data.reaction);
    redrawPost(reaction.post_id).catch(() => {});
  } catch {
    /* an unreadable event changes nothing */
  }
}

// Someone joined or left the channel on screen: its header's member count is asked for
// again (the server's count leaves out deactivated people, so it is not adjusted here).
// Joins come in bursts and reach every member at once: one request per burst, spread.
const COUNT_RELOAD_MS = 500;
let countTimer = null;
export function refreshMemberCount() {
  if (countTimer) return;
  countTimer = setTimeout(async () => {
    countTimer = null;
    const channel = currentChannel();
    if (!channel?.el.querySelector("[data-member-count]")) return;
    try {
      const stats = await api("GET", `channels/${encodeURIComponent(channel.id)}/stats`);
      // The reader may have opened another channel meanwhile.
      const now = currentChannel();
      const shown = now?.id === stats.channel_id && now.el.querySelector("[data-member-count]");
      if (shown) shown.textContent = String(stats.member_count);
    } catch {
      /* the count keeps its last value until the channel is opened again */
    }
  }, COUNT_RELOAD_MS + Math.floor(Math.random() * 500));
}

// `user_added`, `user_removed`: membership of a channel changed.
export function membershipChanged(data, broadcast) {
  refreshSidebar();
  const channelId = data.channel_id || broadcast.channel_id;
  if (channelId && channelId === currentChannel()?.id) refreshMemberCount();
}

// `leave_team` of someone else: they left every channel of the team, the one on screen too.
export function teamMembersChanged(data) {
  const channel = currentChannel();
  if (data.user_id === me.id || data.team_id !== team.id || !channel) return;
  if (channel.type === "O" || channel.type === "P") refreshMemberCount();
}

// `channel_deleted`, `channel_restored` of the channel on screen: it is drawn again, so
// the composer gives way to the archived notice, or comes back.
export function archivedOrRestored(data, broadcast) {
  const channelId = data.channel_id || broadcast.channel_id;
  if (channelId && channelId === currentChannel()?.id) {
    window.htmx?.ajax("GET", location.pathname, { target: "#center", swap: "innerHTML" });
  }
}

export function startChannel() {
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") markViewed();
  });
  document.addEventListener("confab:resync", () => {
    refreshSidebar();
    const channel = currentChannel();
    if (channel) window.htmx?.ajax("GET", location.pathname, { target: "#center", swap: "innerHTML" });
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target?.id === "center") channelOpened();
  });
  // Older messages load above the ones being read: keep those where they are on screen
  // (as the distance from the bottom), rather than jumping to the newly loaded top.
  let fromBottom = null;
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const s = scroller();
    const target = event.detail.target;
    if (s && target?.classList?.contains("history-loader") &&
        !target.classList.contains("history-loader--newer")) {
      fromBottom = s.scrollHeight - s.scrollTop;
    }
  });
  document.body.addEventListener("htmx:afterSwap", () => {
    const s = scroller();
    if (s && fromBottom !== null) {
      s.scrollTop = s.scrollHeight - fromBottom;
      fromBottom = null;
    }
  });
  channelOpened();
}
