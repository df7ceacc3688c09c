// Slash commands in every composer, as Mattermost's web app runs them: a message that
// starts with "/" (not "//", and not " /", the ways to post a literal slash) goes to
// POST /api/v4/commands/execute instead of being posted. The server posts in_channel
// answers itself and sends ephemeral ones as an `ephemeral_message` event, drawn here
// for this reader only; a refused command (unknown trigger) is explained under the
// composer and its text kept. While the trigger is typed, autocomplete.js offers the
// team's commands through the source registered below.

import { api } from "./api.js";
import { addCompletionSource } from "./autocomplete.js";
import { currentChannel, me, strings, team } from "./state.js";
import { navigate } from "./switcher.js";

const TRIGGER_TYPED = /^\/([^\s/]*)$/u;
const LIST_FRESH_MS = 30_000;
// In-app pages navigate() can swap into the centre: a channel, a DM, a permalink.
const IN_APP_PATH = /^\/[^/]+\/(channels|messages|pl)\/[^/]+\/?$/u;

const text = () => strings("commands-strings");

export function isSlashCommand(value) {
  return value.startsWith("/") && !value.startsWith("//");
}

// --- running -----------------------------------------------------------------------------

function errorBox(form) {
  let box = form.querySelector("[data-command-error]");
  if (!box) {
    box = document.createElement("div");
    box.className = "composer-error";
    box.dataset.commandError = "";
    box.setAttribute("role", "alert");
    form.querySelector(".composer-box")?.after(box);
  }
  return box;
}

function showError(form, message) {
  errorBox(form).textContent = message;
}

export function clearCommandError(form) {
  form.querySelector("[data-command-error]")?.remove();
}

function follow(location) {
  let url;
  try {
    url = new URL(location, window.location.href);
  } catch {
    return;
  }
  if (url.origin !== window.location.origin) {
    window.open(url.href, "_blank", "noopener");
  } else if (IN_APP_PATH.test(url.pathname)) {
    navigate(url.pathname + url.search).catch(() => window.location.assign(url.href));
  } else {
    window.location.assign(url.href);
  }
}

// Runs the composer's text as a command. The text stays when the server refuses it, so
// the user can correct it; an accepted command empties the composer like a sent post.
export async function runCommand(form) {
  const input = form.querySelector("[data-composer-input]");
  if (form.dataset.busy === "true") return;
  form.dataset.busy = "true";
  clearCommandError(form);
  const rootId = form.dataset.rootId || "";
  try {
    const answer = await api("POST", "commands/execute", {
      channel_id: form.dataset.channelId,
      team_id: team.id,
      command: input.value.trim(),
      root_id: rootId,
      parent_id: rootId,
    });
    input.value = "";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    form.dispatchEvent(new CustomEvent("confab:command-ran", { bubbles: true, detail: answer }));
    if (answer && answer.goto_location) follow(answer.goto_location);
  } catch (error) {
    showError(form, error.message || text().failed || "");
  } finally {
    form.dataset.busy = "false";
  }
}

// --- ephemeral answers (the socket's `ephemeral_message`) --------------------------------

function authorOf(post) {
  const override = post.props && post.props.override_username;
  if (override) return override;
  return post.user_id === me.id ? me.username : text().system || "";
}

function ephemeralItem(post, idPrefix) {
  const li = document.createElement("li");
  li.className = "post post--ephemeral";
  li.id = `${idPrefix}post-${post.id}`;
  li.dataset.postId = post.id;
  li.dataset.rootId = post.root_id || "";
  li.dataset.userId = post.user_id || "";
  li.dataset.createAt = String(post.create_at || Date.now());
  li.dataset.ephemeral = "true";
  li.tabIndex = -1;
  const avatar = document.createElement("span");
  avatar.className = "post-avatar";
  const bubble = document.createElement("span");
  bubble.className = "avatar avatar--ephemeral";
  bubble.setAttribute("aria-hidden", "true");
  bubble.textContent = "⚙";
  avatar.append(bubble);
  const body = document.createElement("div");
  body.className = "post-body";
  const head = document.createElement("div");
  head.className = "post-head";
  const author = document.createElement("span");
  author.className = "post-author";
  author.textContent = authorOf(post);
  const only = document.createElement("span");
  only.className = "post-ephemeral-note";
  only.textContent = text().onlyYou || "";
  const time = document.createElement("time");
  time.className = "post-time";
  const when = new Date(Number(post.create_at) || Date.now());
  time.dateTime = when.toISOString();
  time.textContent = when.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  head.append(author, only, time);
  const message = document.createElement("div");
  message.className = "post-message post-message--ephemeral";
  message.dataset.message = "";
  message.textContent = post.message || "";
  body.append(head, message);
  li.append(avatar, body);
  return li;
}

function appendTo(list, item) {
  if (!list || list.querySelector(`#${CSS.escape(item.id)}`)) return;
  const scroller = list.closest("[data-rhs-scroll]") || list.parentElement;
  const atBottom = scroller ? scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80 : false;
  list.append(item);
  if (atBottom) item.scrollIntoView({ block: "end" });
}

// Drawn where the reader is looking at that channel or thread: never stored, so it is
// gone at the next load, as in Mattermost.
export function ephemeralMessage(data) {
  let post;
  try {
    post = JSON.parse(data.post);
  } catch {
    return;
  }
  if (!post || !post.id) return;
  const channel = currentChannel();
  if (channel && channel.id === post.channel_id) {
    appendTo(document.getElementById("message-list"), ephemeralItem(post, ""));
  }
  const thread = document.querySelector('#rhs [data-rhs-kind="thread"]');
  if (post.root_id && thread && thread.dataset.rhsKey === post.root_id) {
    appendTo(thread.querySelector("[data-thread-list]"), ephemeralItem(post, "rhs-"));
  }
}

// --- autocomplete ------------------------------------------------------------------------

let known = { teamId: "", at: 0, commands: null };

async function teamCommands() {
  const fresh = known.teamId === team.id && Date.now() - known.at < LIST_FRESH_MS;
  if (fresh && known.commands) return known.commands;
  const commands = await api("GET", `teams/${team.id}/commands/autocomplete`);
  known = { teamId: team.id, at: Date.now(), commands: commands || [] };
  return known.commands;
}

const commandSource = {
  // The trigger being typed: "/" and a prefix, alone at the start of the composer.
  tokenAt(before) {
    const match = TRIGGER_TYPED.exec(before);
    return match ? { trigger: "/", query: match[1], start: 0, end: before.length } : null;
  },
  async items(token) {
    const prefix = token.query.toLowerCase();
    const seen = new Set();
    return (await teamCommands())
      .filter((c) => c.trigger && c.trigger.startsWith(prefix))
      .filter((c) => !seen.has(c.trigger) && seen.add(c.trigger))
      .sort((a, b) => a.trigger.localeCompare(b.trigger))
      .map((c) => ({
        kind: "command",
        label: `/${c.trigger}${c.auto_complete_hint ? " " + c.auto_complete_hint : ""}`,
        hint: c.auto_complete_desc || c.description || "",
        insert: `/${c.trigger} `,
      }));
  },
};

export function startCommands() {
  addCompletionSource(commandSource);
  // Editing the text answers the error it caused.
  document.addEventListener("input", (event) => {
    const form = event.target.closest?.("form.composer");
    if (form) clearCommandError(form);
  });
}
