// Getting your attention while the tab is in the background: a desktop notification for a
// direct or group message or a mention of you, and "(N) " in the tab's title counting
// them until you come back. Permission is asked once, from a button, never on load.

import { registerActions } from "./actions.js";
import { currentChannel, me, team } from "./state.js";
import { myStatus } from "./presence.js";
import { navigate } from "./switcher.js";

const BODY_MAX = 100;
const DISMISSED_KEY = "confab.notifications.dismissed";
const PREFIX = /^\(\d+\) /;

let unseen = 0;

function strings() {
  return document.getElementById("nav-notify-strings")?.dataset || {};
}

function showCount() {
  const base = document.title.replace(PREFIX, "");
  document.title = unseen ? `(${unseen}) ${base}` : base;
}

function truncate(text) {
  const chars = [...text];
  return chars.length > BODY_MAX ? `${chars.slice(0, BODY_MAX - 1).join("")}…` : text;
}

function parse(value, fallback) {
  try {
    return typeof value === "string" ? JSON.parse(value) : value ?? fallback;
  } catch {
    return fallback;
  }
}

// Where clicking the notification takes you: the channel, in this team without a reload;
// a channel of another team through the post's permalink.
function open(post, data) {
  window.focus();
  if (currentChannel()?.id === post.channel_id) return;
  if (data.team_id && data.team_id !== team.id) {
    location.assign(`/pl/${post.id}`);
  } else if (data.channel_type === "D") {
    navigate(`/${team.name}/messages/${data.sender_name}`).catch(() => location.assign(`/pl/${post.id}`));
  } else {
    navigate(`/${team.name}/channels/${data.channel_name}`).catch(() => location.assign(`/pl/${post.id}`));
  }
}

function notify(post, data) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  if (myStatus() === "dnd") return;
  const sender = data.sender_name || "";
  const title = data.channel_type === "D"
    ? sender
    : (strings().title || "{sender} · {channel}")
        .replace("{sender}", sender)
        .replace("{channel}", data.channel_display_name || data.channel_name || "");
  const body = truncate(post.message || (post.file_ids?.length ? strings().file || "" : ""));
  try {
    const note = new Notification(title, { body, tag: post.channel_id });
    note.addEventListener("click", () => {
      note.close();
      open(post, data);
    });
  } catch {
    /* some browsers only notify from a service worker; the title count still works */
  }
}

function showBanner() {
  if (!("Notification" in window) || Notification.permission !== "default") return;
  try {
    if (localStorage.getItem(DISMISSED_KEY) === "1") return;
  } catch {
    /* storage may be off; then the banner just shows */
  }
  const template = document.getElementById("nav-tpl-notify-banner");
  const host = document.getElementById("sidebar-wrap");
  if (!template || !host || host.querySelector(".notify-banner")) return;
  host.append(document.importNode(template.content, true));
}

function hideBanner() {
  document.querySelector(".notify-banner")?.remove();
}

// `posted`: a message for you while the page is hidden counts in the title and notifies.
export function posted(data) {
  const post = parse(data.post, null);
  if (!post || post.user_id === me.id || (post.type || "").startsWith("system_")) return;
  const mentions = parse(data.mentions || "[]", []);
  const forMe = data.channel_type === "D" || data.channel_type === "G"
    || (Array.isArray(mentions) && mentions.includes(me.id));
  if (!forMe || document.visibilityState !== "hidden") return;
  unseen += 1;
  showCount();
  notify(post, data);
}

export function startNotify() {
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && unseen) {
      unseen = 0;
      showCount();
    }
  });
  document.addEventListener("confab:channel-opened", () => showCount());
  registerActions({
    "enable-notifications": async () => {
      hideBanner();
      try {
        await Notification.requestPermission();
      } catch {
        /* a refusal is an answer too */
      }
    },
    "dismiss-notifications": () => {
      hideBanner();
      try {
        localStorage.setItem(DISMISSED_KEY, "1");
      } catch {
        /* nothing to remember it in */
      }
    },
  });
  showBanner();
}
