// The channel name's menu (issue 14): view info, add members, leave. The page draws only
// the items the server's rules allow (screens.channel_menu); the REST API still decides,
// and its refusal is shown in the dialog in the server's words.

import { api, toast } from "./api.js";
import { registerActions } from "./actions.js";
import { refreshSidebar } from "./channel.js";
import { fillOption } from "./listbox.js";
import { currentChannel, me, team } from "./state.js";
import { navigate, openDialog } from "./switcher.js";

const SEARCH_DELAY_MS = 120;
const DEFAULT_CHANNEL = "town-square";

function menuParts() {
  const button = document.querySelector("#channel [data-action='channel-menu']");
  const menu = document.getElementById("channel-menu");
  return button && menu ? { button, menu } : null;
}

function closeMenu({ focus = false } = {}) {
  const parts = menuParts();
  if (!parts || parts.menu.hidden) return;
  parts.menu.hidden = true;
  parts.button.setAttribute("aria-expanded", "false");
  if (focus) parts.button.focus();
}

function toggleMenu() {
  const parts = menuParts();
  if (!parts) return;
  if (!parts.menu.hidden) {
    closeMenu();
    return;
  }
  parts.menu.hidden = false;
  parts.button.setAttribute("aria-expanded", "true");
  parts.menu.querySelector("[role='menuitem']")?.focus();
}

function menuKeys(event) {
  const parts = menuParts();
  if (!parts || parts.menu.hidden || !parts.menu.contains(event.target)) return;
  const items = [...parts.menu.querySelectorAll("[role='menuitem']")];
  const at = items.indexOf(event.target);
  if (event.key === "Escape") closeMenu({ focus: true });
  else if (event.key === "ArrowDown") items[(at + 1) % items.length]?.focus();
  else if (event.key === "ArrowUp") items[(at - 1 + items.length) % items.length]?.focus();
  else return;
  event.preventDefault();
}

function showError(dialog, message) {
  const box = dialog.querySelector("[data-dialog-error]");
  box.textContent = message || "";
  box.hidden = !message;
}

function openInfo() {
  closeMenu();
  const dialog = openDialog("channel-tpl-info");
  const shown = document.querySelector("#channel [data-member-count]");
  const count = dialog?.querySelector("[data-info-member-count]");
  // The header's count follows user_added/user_removed; the dialog shows the latest.
  if (shown && count) count.textContent = shown.textContent;
}

function openAddMembers() {
  closeMenu();
  const channel = currentChannel();
  const dialog = openDialog("channel-tpl-add-members");
  if (!dialog || !channel) return;
  const form = dialog.querySelector("[data-add-members-form]");
  const search = dialog.querySelector("[data-add-search]");
  const list = dialog.querySelector("[data-add-results]");
  const pickedBox = dialog.querySelector("[data-add-picked]");
  const picked = new Map(); // user id -> username
  let found = [];
  let active = -1;
  let seq = 0;
  let timer = null;

  const setActive = (index) => {
    const options = [...list.children];
    active = options.length ? (index + options.length) % options.length : -1;
    options.forEach((o, i) => {
      o.setAttribute("aria-selected", String(i === active));
      o.classList.toggle("is-active", i === active);
    });
    if (active < 0) search.removeAttribute("aria-activedescendant");
    else search.setAttribute("aria-activedescendant", options[active].id);
  };

  const drawPicked = () => {
    pickedBox.replaceChildren(
      ...[...picked].map(([id, username]) => {
        const chip = document.createElement("span");
        chip.className = "dm-chip";
        chip.textContent = `@${username}`;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "dm-chip-remove";
        remove.textContent = "✕";
        remove.setAttribute("aria-label", `✕ @${username}`);
        remove.addEventListener("click", () => {
          picked.delete(id);
          drawPicked();
          search.focus();
        });
        chip.append(remove);
        return chip;
      }),
    );
  };

  // Team members who are not in the channel: the @mention autocomplete's out_of_channel.
  const load = async () => {
    const mine = ++seq;
    const params = new URLSearchParams({
      in_team: team.id,
      in_channel: channel.id,
      name: search.value.trim(),
    });
    try {
      const answer = await api("GET", `users/autocomplete?${params}`);
      if (mine !== seq || !dialog.isConnected) return;
      found = (answer.out_of_channel || []).filter((u) => !picked.has(u.id));
      list.replaceChildren(
        ...found.map((user, i) => {
          const li = document.createElement("li");
          li.id = `add-member-opt-${i}`;
          li.setAttribute("role", "option");
          li.className = "dm-option";
          li.dataset.index = String(i);
          const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
          return fillOption(li, { label: `@${user.username}`, hint: user.nickname || name }, "dm-option");
        }),
      );
      setActive(0);
    } catch (error) {
      showError(dialog, error.message);
    }
  };

  const pick = (index) => {
    const user = found[index];
    if (!user) return;
    picked.set(user.id, user.username);
    drawPicked();
    search.value = "";
    search.focus();
    load();
  };

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, SEARCH_DELAY_MS);
  });
  search.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setActive(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && search.value.trim()) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Backspace" && !search.value && picked.size) {
      picked.delete([...picked.keys()].pop());
      drawPicked();
    }
  });
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role='option']");
    if (option) pick(Number(option.dataset.index));
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.dataset.busy === "true") return;
    if (!picked.size && active >= 0) pick(active);
    if (!picked.size) return;
    form.dataset.busy = "true";
    showError(dialog, "");
    try {
      // One call per person, as Mattermost's web app does; stop at the first refusal and
      // keep the rest chosen, so the reader sees who was not added and why.
      for (const userId of [...picked.keys()]) {
        await api("POST", `channels/${encodeURIComponent(channel.id)}/members`, { user_id: userId });
        picked.delete(userId);
        drawPicked();
      }
      dialog.close();
    } catch (error) {
      showError(dialog, error.message);
    } finally {
      form.dataset.busy = "false";
    }
  });
  search.focus();
  load();
}

async function leave(button) {
  closeMenu();
  button.disabled = true;
  try {
    await api("DELETE", `channels/${encodeURIComponent(button.dataset.channelId)}/members/${me.id}`);
    await navigate(`/${team.name}/channels/${DEFAULT_CHANNEL}`);
    refreshSidebar();
  } catch (error) {
    button.disabled = false;
    toast(error.message);
  }
}

export function startChannelMenu() {
  registerActions({
    "channel-menu": () => toggleMenu(),
    "channel-info": () => openInfo(),
    "channel-add-members": () => openAddMembers(),
    "channel-leave": (el) => leave(el),
  });
  document.addEventListener("keydown", menuKeys);
  // A click anywhere else closes the menu (its own button toggles it).
  document.addEventListener("click", (event) => {
    if (!event.target.closest?.("#channel-menu, [data-action='channel-menu']")) closeMenu();
  });
}
