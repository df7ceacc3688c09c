// Reactions and emoji in the composer. A chip toggles your reaction; the post menu's
// smiley and the composer's emoji button open the picker. The socket's reaction events
// redraw the post for everyone; the post is also redrawn here as soon as the API answers.

import { api, toast } from "./api.js";
import { postOf, registerActions } from "./actions.js";
import { openPicker } from "./emoji-picker.js";
import { redrawEverywhere } from "./rhs.js";
import { me } from "./state.js";

async function addReaction(postId, name) {
  await api("POST", "reactions", { user_id: me.id, post_id: postId, emoji_name: name });
}

async function removeReaction(postId, name) {
  await api(
    "DELETE",
    `users/me/posts/${encodeURIComponent(postId)}/reactions/${encodeURIComponent(name)}`
  );
}

async function run(postId, change) {
  try {
    await change();
  } catch (error) {
    toast(error.message);
    return;
  }
  redrawEverywhere(postId);
}

// Put `:name: ` where the caret is, with a space before it when it follows a word.
export function insertAtCaret(input, textToInsert) {
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  const before = input.value.slice(0, start);
  const insert = (before && !/\s$/.test(before) ? " " : "") + textToInsert;
  input.focus({ preventScroll: true });
  input.setRangeText(insert, start, end, "end");
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

export function startReactions() {
  registerActions({
    "toggle-reaction": (el) => {
      const { id } = postOf(el);
      const name = el.dataset.emoji;
      if (!id || !name) return;
      const mine = el.getAttribute("aria-pressed") === "true";
      run(id, () => (mine ? removeReaction(id, name) : addReaction(id, name)));
    },
    react: (el) => {
      const { id, post } = postOf(el);
      if (!id) return;
      openPicker(el, (name) => {
        const chip = post?.querySelector(`[data-action="toggle-reaction"][data-emoji="${CSS.escape(name)}"]`);
        if (chip?.getAttribute("aria-pressed") === "true") return;
        run(id, () => addReaction(id, name));
      }).catch(() => {});
    },
    "composer-emoji": (el) => {
      const input = el.closest("form")?.querySelector("[data-composer-input]");
      if (!input) return;
      openPicker(el, (name) => insertAtCaret(input, `:${name}: `)).catch(() => {});
    },
  });
}
