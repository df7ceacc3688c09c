// Getting somewhere fast: Ctrl+K (Cmd+K) opens the quick switcher, whose results the
// server draws (so a private channel is only ever offered to its members). Also the two
// helpers the other navigation modules share: opening a dialog from its <template>, and
// moving the centre to another channel without reloading the page.

import { api, fragment } from "./api.js";
import { registerActions } from "./actions.js";
import { refreshSidebar } from "./channel.js";
import { me, team, currentChannel } from "./state.js";

const SEARCH_DELAY_MS = 90;

// A dialog cloned from `<template id=...>` into #modal-root and shown modally. It is
// removed when it closes (Escape, a close button, the backdrop) and focus goes back to
// whatever had it before.
export function openDialog(templateId) {
  const template = document.getElementById(templateId);
  if (!template) return null;
  for (const open of document.querySelectorAll("#modal-root dialog.nav-dialog[open]")) open.close();
  const dialog = document.importNode(template.content, true).querySelector("dialog");
  const opener = document.activeElement;
  (document.getElementById("modal-root") || document.body).append(dialog);
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener && opener.isConnected && !document.querySelector("dialog[open]")) {
      opener.focus({ preventScroll: true });
    }
  });
  dialog.addEventListener("mousedown", (event) => {
    if (event.target !== dialog) return;
    const box = dialog.getBoundingClientRect();
    const inside = event.clientX >= box.left && event.clientX <= box.right
      && event.clientY >= box.top && event.clientY <= box.bottom;
    if (!inside) dialog.close();
  });
  dialog.showModal();
  return dialog;
}

// Open `url` (a channel or DM page) in the centre, as a sidebar link does: htmx swaps the
// centre and pushes the URL, channel.js marks the sidebar; a channel the sidebar does not
// list yet (just made or joined) makes it reload. If the server refuses, the full page
// shows why.
export async function navigate(url) {
  const center = document.getElementById("center");
  if (!window.htmx || !center) {
    location.assign(url);
    return;
  }
  const before = document.getElementById("channel");
  await window.htmx.ajax("GET", url, { target: "#center", swap: "innerHTML", push: url });
  const now = document.getElementById("channel");
  if (!now || now === before) {
    location.assign(url);
    return;
  }
  const id = currentChannel()?.id;
  if (id && !document.querySelector(`.channel-link[data-channel-id="${CSS.escape(id)}"]`)) {
    refreshSidebar();
  }
}

// Join a public channel (yourself) and open it.
export async function joinAndOpen(channelId, url) {
  await api("POST", `channels/${channelId}/members`, { user_id: me.id });
  await navigate(url);
  refreshSidebar();
}

function options(list) {
  return [...list.querySelectorAll('[role="option"]:not([aria-disabled="true"])')];
}

function openSwitcher() {
  const existing = document.querySelector("dialog.switcher-dialog");
  if (existing) {
    existing.close();
    return;
  }
  const dialog = openDialog("nav-tpl-switcher");
  if (!dialog) return;
  const input = dialog.querySelector("[data-switcher-input]");
  const list = dialog.querySelector("[data-switcher-results]");
  let seq = 0;
  let timer = null;
  let loading = Promise.resolve();
  let active = -1;

  const setActive = (index) => {
    const all = options(list);
    if (!all.length) {
      active = -1;
      input.removeAttribute("aria-activedescendant");
      return;
    }
    active = (index + all.length) % all.length;
    all.forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === active));
      option.classList.toggle("is-active", i === active);
    });
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  };

  const load = async () => {
    const mine = ++seq;
    const params = new URLSearchParams({ team_id: team.id, q: input.value });
    let html;
    try {
      html = await fragment(`/_/nav/switcher?${params}`);
    } catch {
      return;
    }
    if (mine !== seq || !dialog.isConnected) return;
    list.innerHTML = html; // drawn (and escaped) by the server
    setActive(0);
    document.dispatchEvent(new CustomEvent("confab:presence-scan"));
  };

  const schedule = () => {
    clearTimeout(timer);
    loading = new Promise((resolve) => {
      timer = setTimeout(() => load().finally(resolve), SEARCH_DELAY_MS);
    });
  };

  const choose = async (option) => {
    if (!option) return;
    const url = option.dataset.url;
    const joinId = option.dataset.joinChannelId;
    const directWith = option.dataset.directUserId;
    dialog.close();
    try {
      if (joinId) await joinAndOpen(joinId, url);
      else if (directWith) {
        // A teammate without a conversation yet: start it, as Mattermost's switcher does.
        await api("POST", "channels/direct", [me.id, directWith]);
        await navigate(url);
      } else await navigate(url);
    } catch {
      location.assign(url);
    }
  };

  input.addEventListener("input", schedule);
  input.addEventListener("keydown", async (event) => {
    if (event.isComposing) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setActive(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      await loading; // answer what was typed, not the list from a keystroke ago
      choose(options(list)[active]);
    }
  });
  list.addEventListener("mousemove", (event) => {
    const option = event.target.closest('[role="option"]');
    const index = options(list).indexOf(option);
    if (index >= 0 && index !== active) setActive(index);
  });
  list.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]:not([aria-disabled="true"])');
    if (option) choose(option);
  });
  input.focus();
  loading = load();
}

export function startSwitcher() {
  registerActions({ "open-switcher": () => openSwitcher() });
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    if (event.key.toLowerCase() !== "k") return;
    event.preventDefault();
    openSwitcher();
  });
}
