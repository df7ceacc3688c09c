// Making and finding channels: browse the team's public channels and join one, create a
// channel, start a direct or group message, and join the channel you are looking at.
// Every write is the REST call Mattermost's web app makes; the API's refusals are shown
// in the dialog, in the server's words.

import { api, fragment, toast } from "./api.js";
import { registerActions } from "./actions.js";
import { refreshSidebar } from "./channel.js";
import { me, team } from "./state.js";
import { joinAndOpen, navigate, openDialog } from "./switcher.js";

const MAX_GROUP_PEOPLE = 7; // Mattermost's group messages hold 8, you included
const SEARCH_DELAY_MS = 120;

function strings() {
  return document.getElementById("nav-dialog-strings")?.dataset || {};
}

function showError(dialog, message) {
  const box = dialog.querySelector("[data-dialog-error]");
  if (!box) return toast(message);
  box.textContent = message || "";
  box.hidden = !message;
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// --- browse ----------------------------------------------------------------------------------

function openBrowse() {
  const dialog = openDialog("nav-tpl-browse");
  if (!dialog) return;
  const filter = dialog.querySelector("[data-browse-filter]");
  const list = dialog.querySelector("[data-browse-results]");
  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    const query = filter.value.trim() ? `?${new URLSearchParams({ q: filter.value.trim() })}` : "";
    try {
      const html = await fragment(`/_/nav/teams/${team.id}/browse${query}`);
      if (mine === seq && dialog.isConnected) list.innerHTML = html; // server-drawn
      showError(dialog, "");
    } catch (error) {
      showError(dialog, error.message);
    }
  };
  filter.addEventListener("input", debounce(load, SEARCH_DELAY_MS));
  filter.focus();
  load();
}

async function browseJoin(button) {
  const dialog = button.closest("dialog");
  button.disabled = true;
  try {
    await joinAndOpen(button.dataset.channelId, button.dataset.url);
    dialog?.close();
  } catch (error) {
    button.disabled = false;
    if (dialog) showError(dialog, error.message);
    else toast(error.message);
  }
}

// --- create a channel ------------------------------------------------------------------------

// The URL name Mattermost would suggest for a display name: lowercase ASCII letters and
// digits, with dashes between words.
export function slugify(text) {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, 64)
    .replace(/[-_]+$/g, "");
}

function openNewChannel() {
  const dialog = openDialog("nav-tpl-new-channel");
  if (!dialog) return;
  const form = dialog.querySelector("[data-new-channel-form]");
  const display = form.elements.display_name;
  const name = form.elements.name;
  let nameEdited = false;
  display.addEventListener("input", () => {
    if (!nameEdited) name.value = slugify(display.value);
  });
  name.addEventListener("input", () => {
    nameEdited = name.value !== "";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.dataset.busy === "true") return;
    const body = {
      team_id: team.id,
      display_name: display.value.trim(),
      name: name.value.trim().toLowerCase(),
      purpose: form.elements.purpose.value.trim(),
      type: form.elements.type.value === "P" ? "P" : "O",
    };
    if (!body.display_name) {
      display.focus();
      return;
    }
    if (!body.name) {
      showError(dialog, strings().noName);
      name.focus();
      return;
    }
    form.dataset.busy = "true";
    try {
      const channel = await api("POST", "channels", body);
      dialog.close();
      await navigate(`/${team.name}/channels/${channel.name}`);
      refreshSidebar();
    } catch (error) {
      showError(dialog, error.message);
    } finally {
      form.dataset.busy = "false";
    }
  });
  display.focus();
}

// --- direct and group messages ---------------------------------------------------------------

function personOption(user, index) {
  const li = document.createElement("li");
  li.setAttribute("role", "option");
  li.setAttribute("aria-selected", "false");
  li.id = `dm-opt-${index}`;
  li.className = "dm-option";
  li.dataset.userId = user.id;
  li.dataset.username = user.username;
  const handle = document.createElement("span");
  handle.className = "dm-option-name";
  handle.textContent = `@${user.username}`;
  li.append(handle);
  const full = [user.first_name, user.last_name].filter(Boolean).join(" ") || user.nickname;
  if (full) {
    const extra = document.createElement("span");
    extra.className = "dm-option-hint";
    extra.textContent = full;
    li.append(extra);
  }
  return li;
}

function openNewDirect() {
  const dialog = openDialog("nav-tpl-new-direct");
  if (!dialog) return;
  const form = dialog.querySelector("[data-new-direct-form]");
  const search = dialog.querySelector("[data-dm-search]");
  const list = dialog.querySelector("[data-dm-results]");
  const pickedBox = dialog.querySelector("[data-dm-picked]");
  const picked = new Map(); // user id -> username
  let active = -1;
  let seq = 0;

  const options = () => [...list.querySelectorAll('[role="option"]')];
  const setActive = (index) => {
    const all = options();
    if (!all.length) {
      active = -1;
      search.removeAttribute("aria-activedescendant");
      return;
    }
    active = (index + all.length) % all.length;
    all.forEach((o, i) => {
      o.setAttribute("aria-selected", String(i === active));
      o.classList.toggle("is-active", i === active);
    });
    search.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  };

  const drawPicked = () => {
    pickedBox.replaceChildren();
    for (const [id, username] of picked) {
      const chip = document.createElement("span");
      chip.className = "dm-chip";
      chip.textContent = `@${username}`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "dm-chip-remove";
      remove.textContent = "✕";
      const label = (strings().remove || "✕ {name}").replace("{name}", username);
      remove.setAttribute("aria-label", label);
      remove.title = label;
      remove.addEventListener("click", () => {
        picked.delete(id);
        drawPicked();
        search.focus();
      });
      chip.append(remove);
      pickedBox.append(chip);
    }
  };

  const load = async () => {
    const mine = ++seq;
    const params = new URLSearchParams({ in_team: team.id, name: search.value.trim() });
    try {
      const found = await api("GET", `users/autocomplete?${params}`);
      if (mine !== seq || !dialog.isConnected) return;
      const users = (found.users || []).filter((u) => u.id !== me.id && !picked.has(u.id));
      list.replaceChildren(...users.map(personOption));
      setActive(0);
    } catch (error) {
      showError(dialog, error.message);
    }
  };

  const pick = (option) => {
    if (!option) return;
    if (picked.size >= MAX_GROUP_PEOPLE) {
      showError(dialog, (strings().maxPeople || "{count}").replace("{count}", MAX_GROUP_PEOPLE));
      return;
    }
    showError(dialog, "");
    picked.set(option.dataset.userId, option.dataset.username);
    drawPicked();
    search.value = "";
    search.focus();
    load();
  };

  search.addEventListener("input", debounce(load, SEARCH_DELAY_MS));
  search.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setActive(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && search.value.trim()) {
      event.preventDefault();
      pick(options()[active]);
    } else if (event.key === "Backspace" && !search.value && picked.size) {
      picked.delete([...picked.keys()].pop());
      drawPicked();
    }
  });
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => pick(event.target.closest('[role="option"]')));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.dataset.busy === "true") return;
    if (!picked.size) {
      // Enter on an empty box with a highlighted person means "that one".
      const option = options()[active];
      if (option) pick(option);
      if (!picked.size) {
        showError(dialog, strings().noPeople);
        return;
      }
    }
    form.dataset.busy = "true";
    try {
      if (picked.size === 1) {
        const [[userId, username]] = picked.entries();
        // Start (or find) the conversation first: the page only opens existing ones.
        await api("POST", "channels/direct", [me.id, userId]);
        dialog.close();
        await navigate(`/${team.name}/messages/@${username}`);
      } else {
        const channel = await api("POST", "channels/group", [...picked.keys()]);
        dialog.close();
        await navigate(`/${team.name}/messages/${channel.name}`);
      }
      refreshSidebar();
    } catch (error) {
      showError(dialog, error.message);
    } finally {
      form.dataset.busy = "false";
    }
  });
  search.focus();
  load();
}

// --- joining the open channel ----------------------------------------------------------------

async function joinOpenChannel(button) {
  button.disabled = true;
  try {
    await api("POST", `channels/${button.dataset.channelId}/members`, { user_id: me.id });
    if (window.htmx) {
      await window.htmx.ajax("GET", location.pathname, { target: "#center", swap: "innerHTML" });
    } else {
      location.reload();
    }
    refreshSidebar();
  } catch (error) {
    button.disabled = false;
    toast(error.message);
  }
}

export function startChannelsUi() {
  registerActions({
    "browse-channels": () => openBrowse(),
    "new-channel": () => openNewChannel(),
    "new-direct": () => openNewDirect(),
    "join-channel": (el) => joinOpenChannel(el),
    "browse-join": (el) => browseJoin(el),
    "nav-go": (el) => {
      el.closest("dialog")?.close();
      navigate(el.dataset.url || el.getAttribute("href"));
    },
    "nav-close-dialog": (el) => el.closest("dialog")?.close(),
  });
}
