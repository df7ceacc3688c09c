// Writing messages: Enter sends, Shift+Enter breaks the line, Up edits your last post.
// Sending goes through POST /api/v4/posts with a pending_post_id, so a retried send
// never makes a duplicate (SECURITY.md 22). Other modules add to the composer: files put
// their ids in `form.fileIds`, autocomplete sets `data-autocomplete-open` on the input
// while its list takes the keys.

import { api, newPendingId, toast } from "./api.js";
import { postOf, registerActions } from "./actions.js";
import { send as socketSend } from "./socket.js";
import { me, strings } from "./state.js";
import { appendPost } from "./channel.js";
import { isSlashCommand, runCommand } from "./commands.js";

const TYPING_EVERY_MS = 3000;

function grow(input) {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 240)}px`;
}

async function submit(form) {
  const input = form.querySelector("[data-composer-input]");
  // A slash command runs instead of being posted (commands.js).
  if (isSlashCommand(input.value)) return runCommand(form);
  const message = input.value.trim();
  const fileIds = form.fileIds ? [...form.fileIds()] : [];
  if (!message && !fileIds.length) return;
  if (form.dataset.busy === "true") return;
  form.dataset.busy = "true";
  const body = {
    channel_id: form.dataset.channelId,
    message,
    root_id: form.dataset.rootId || "",
    file_ids: fileIds,
    pending_post_id: form.dataset.pending || newPendingId(me.id),
  };
  form.dataset.pending = body.pending_post_id;
  try {
    const post = await api("POST", "posts", body);
    input.value = "";
    grow(input);
    delete form.dataset.pending;
    form.dispatchEvent(new CustomEvent("confab:sent", { bubbles: true, detail: post }));
    if (!body.root_id) appendPost(post.id).catch(() => {});
  } catch (error) {
    toast(error.message);
  } finally {
    form.dataset.busy = "false";
  }
}

function lastOwnPost(form) {
  const scope = form.closest(".rhs") || document.getElementById("message-list");
  const own = scope ? scope.querySelectorAll(`li.post[data-user-id="${me.id}"]:not(.post--system)`) : [];
  return own.length ? own[own.length - 1] : null;
}

export function startEdit(post) {
  if (!post || post.querySelector(".post-edit")) return;
  const raw = post.querySelector("template[data-raw-message]");
  const messageEl = post.querySelector("[data-message]");
  const editor = document.createElement("form");
  editor.className = "post-edit";
  const area = document.createElement("textarea");
  area.className = "composer-input";
  area.value = raw ? raw.content.textContent : messageEl.textContent;
  area.setAttribute("aria-label", strings().editMessage || "");
  const hint = document.createElement("div");
  hint.className = "composer-hint";
  hint.textContent = strings().editHint || "";
  editor.append(area, hint);
  messageEl.hidden = true;
  messageEl.after(editor);
  area.focus();
  area.setSelectionRange(area.value.length, area.value.length);
  const close = () => {
    editor.remove();
    messageEl.hidden = false;
  };
  area.addEventListener("keydown", async (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      try {
        await api("PUT", `posts/${post.dataset.postId}/patch`, { message: area.value });
        close();
      } catch (error) {
        toast(error.message);
      }
    }
  });
}

function wire(form) {
  if (form.dataset.wired) return;
  form.dataset.wired = "true";
  const input = form.querySelector("[data-composer-input]");
  let lastTyping = 0;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form);
  });
  input.addEventListener("input", () => {
    grow(input);
    const now = Date.now();
    if (now - lastTyping > TYPING_EVERY_MS && input.value) {
      lastTyping = now;
      socketSend("user_typing", { channel_id: form.dataset.channelId, parent_id: form.dataset.rootId || "" });
    }
  });
  input.addEventListener("keydown", (event) => {
    if (input.dataset.autocompleteOpen === "true" || event.isComposing) return;
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      submit(form);
    } else if (event.key === "ArrowUp" && !input.value) {
      const post = lastOwnPost(form);
      if (post) {
        event.preventDefault();
        startEdit(post);
      }
    }
  });
}

export function wireComposers(root = document) {
  root.querySelectorAll("form.composer").forEach(wire);
}

export function startComposer() {
  wireComposers();
  document.body.addEventListener("htmx:afterSwap", () => wireComposers());
  document.addEventListener("confab:rhs-opened", () => wireComposers());
  registerActions({
    edit: (el) => startEdit(postOf(el).post),
    delete: async (el) => {
      const { id } = postOf(el);
      if (!window.confirm(strings().confirmDelete)) return;
      try {
        await api("DELETE", `posts/${id}`);
      } catch (error) {
        toast(error.message);
      }
    },
  });
}
