// Completion in every composer (the centre's, the thread's, any wired later): `@pre`
// offers people and @channel/@all/@here, `~pre` channels, `:pre` emoji. The list is the
// form's `ul[data-autocomplete]`; while it is shown the input carries
// `data-autocomplete-open="true"`, so the composer leaves Enter and the arrows to it.

import { fillOption } from "./listbox.js";
import { api } from "./api.js";
import { team } from "./state.js";

const TOKEN = /(^|[\s(])([@~:])([^\s@~:]*)$/u;
const VALID = { "@": /^[\w.-]*$/u, "~": /^[\w-]*$/u, ":": /^[a-z0-9_+-]{2,}$/i };
const SPECIAL = ["channel", "all", "here"];
const DELAY_MS = 80;

const states = new WeakMap();
const sources = [];
let nextId = 1;

// Other modules complete their own tokens (commands.js: "/trigger" at the start): a
// source has `tokenAt(textBeforeCaret)` -> token or null, and `items(token)` -> options.
export function addCompletionSource(source) {
  sources.push(source);
}

function strings() {
  return document.getElementById("nav-ac-strings")?.dataset || {};
}

function stateOf(input) {
  let state = states.get(input);
  if (state) return state;
  const form = input.closest("form");
  const list = form?.querySelector("ul[data-autocomplete]");
  if (!list) return null;
  if (!input.id) input.id = `composer-input-${nextId++}`;
  if (!list.id) list.id = `${input.id}-autocomplete`;
  list.setAttribute("role", "listbox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  state = { form, list, items: [], active: -1, token: null, key: "", seq: 0, timer: null };
  states.set(input, state);
  return state;
}

// The token being typed just before the caret, if it is one we complete.
function tokenAt(input) {
  if (input.selectionStart !== input.selectionEnd) return null;
  const before = input.value.slice(0, input.selectionStart);
  for (const source of sources) {
    const token = source.tokenAt(before);
    if (token) return { ...token, source };
  }
  const match = TOKEN.exec(before);
  if (!match) return null;
  const [, , trigger, query] = match;
  if (!VALID[trigger].test(query)) return null;
  return { trigger, query, start: before.length - query.length - 1, end: before.length };
}

function isOpen(state) {
  return state && !state.list.hidden && state.items.length > 0;
}

export function closeAutocomplete(input) {
  const state = states.get(input);
  if (!state) return;
  clearTimeout(state.timer);
  state.seq += 1;
  state.items = [];
  state.active = -1;
  state.key = "";
  state.list.hidden = true;
  state.list.replaceChildren();
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  delete input.dataset.autocompleteOpen;
}

function setActive(input, state, index) {
  const options = [...state.list.children];
  if (!options.length) return;
  state.active = (index + options.length) % options.length;
  options.forEach((option, i) => {
    option.setAttribute("aria-selected", String(i === state.active));
    option.classList.toggle("is-active", i === state.active);
  });
  input.setAttribute("aria-activedescendant", options[state.active].id);
  options[state.active].scrollIntoView({ block: "nearest" });
}

function optionEl(input, item, index) {
  const li = document.createElement("li");
  li.id = `${input.id}-option-${index}`;
  li.setAttribute("role", "option");
  li.setAttribute("aria-selected", "false");
  li.className = `autocomplete-item autocomplete-item--${item.kind}`;
  li.dataset.index = String(index);
  fillOption(li, item, "autocomplete");
  return li;
}

function show(input, state, items) {
  state.items = items;
  if (!items.length) {
    closeAutocomplete(input);
    return;
  }
  state.list.replaceChildren(...items.map((item, i) => optionEl(input, item, i)));
  state.list.hidden = false;
  input.setAttribute("aria-expanded", "true");
  input.dataset.autocompleteOpen = "true";
  setActive(input, state, 0);
}

function fullName(user) {
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  return user.nickname || name;
}

async function people(state, query) {
  const params = new URLSearchParams({ in_team: team.id, name: query });
  if (state.form.dataset.channelId) params.set("in_channel", state.form.dataset.channelId);
  const found = await api("GET", `users/autocomplete?${params}`);
  const text = strings();
  const items = [];
  for (const user of found.users || []) {
    items.push({ kind: "user", label: `@${user.username}`, hint: fullName(user), insert: `@${user.username} ` });
  }
  for (const user of found.out_of_channel || []) {
    const hint = [fullName(user), text.outside].filter(Boolean).join(" · ");
    items.push({ kind: "user-outside", label: `@${user.username}`, hint, insert: `@${user.username} ` });
  }
  for (const name of SPECIAL) {
    if (name.startsWith(query.toLowerCase())) {
      items.push({ kind: "special", label: `@${name}`, hint: text[name] || "", insert: `@${name} ` });
    }
  }
  return items;
}

async function channels(query) {
  const params = new URLSearchParams({ name: query });
  const found = await api("GET", `teams/${team.id}/channels/autocomplete?${params}`);
  return (found || []).map((channel) => ({
    kind: "channel",
    glyph: channel.type === "P" ? "🔒" : "#",
    label: channel.display_name || channel.name,
    hint: `~${channel.name}`,
    insert: `~${channel.name} `,
  }));
}

async function emoji(query) {
  const response = await fetch(`/_/nav/emoji?${new URLSearchParams({ q: query })}`, {
    credentials: "same-origin",
  });
  if (!response.ok) return [];
  const found = await response.json();
  return (found.emoji || []).map((e) => ({
    kind: "emoji",
    glyph: e.char,
    label: `:${e.name}:`,
    insert: `:${e.name}: `,
  }));
}

function update(input) {
  const state = stateOf(input);
  if (!state) return;
  const token = tokenAt(input);
  if (!token) {
    closeAutocomplete(input);
    return;
  }
  const key = token.trigger + token.query.toLowerCase();
  state.token = token;
  if (key === state.key) return;
  state.key = key;
  clearTimeout(state.timer);
  const mine = ++state.seq;
  state.timer = setTimeout(async () => {
    let items = [];
    try {
      if (token.source) items = await token.source.items(token);
      else if (token.trigger === "@") items = await people(state, token.query);
      else if (token.trigger === "~") items = await channels(token.query);
      else items = await emoji(token.query);
    } catch {
      items = [];
    }
    if (mine !== state.seq || !input.isConnected) return;
    show(input, state, items);
  }, DELAY_MS);
}

function choose(input, index) {
  const state = states.get(input);
  const item = state?.items[index];
  const token = tokenAt(input) || state?.token;
  if (!item || !token) return;
  const value = input.value;
  const after = value.slice(token.end).replace(/^ /, "");
  input.value = value.slice(0, token.start) + item.insert + after;
  const caret = token.start + item.insert.length;
  input.setSelectionRange(caret, caret);
  closeAutocomplete(input);
  input.focus();
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

function composerInput(target) {
  return target instanceof HTMLElement && target.matches("[data-composer-input]") ? target : null;
}

export function startAutocomplete() {
  document.addEventListener("input", (event) => {
    const input = composerInput(event.target);
    if (input) update(input);
  });
  // Capture, so the list answers its keys before the composer's own handler sees them.
  document.addEventListener(
    "keydown",
    (event) => {
      const input = composerInput(event.target);
      const state = input && states.get(input);
      if (!isOpen(state) || event.isComposing) return;
      if (event.key === "ArrowDown") setActive(input, state, state.active + 1);
      else if (event.key === "ArrowUp") setActive(input, state, state.active - 1);
      else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
        choose(input, state.active);
      } else if (event.key === "Escape") closeAutocomplete(input);
      else return;
      event.preventDefault();
      event.stopPropagation();
    },
    true,
  );
  // Caret moved away from the token (click, Home/End): the list no longer applies.
  document.addEventListener("keyup", (event) => {
    const input = composerInput(event.target);
    if (input && ["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) update(input);
  });
  document.addEventListener("mousedown", (event) => {
    const option = event.target.closest?.("ul[data-autocomplete] [role='option']");
    if (!option) return;
    event.preventDefault(); // keep the focus (and the caret) in the composer
    const input = option.closest("form")?.querySelector("[data-composer-input]");
    if (input) choose(input, Number(option.dataset.index));
  });
  document.addEventListener("focusout", (event) => {
    const input = composerInput(event.target);
    if (input) closeAutocomplete(input);
  });
  document.addEventListener("confab:sent", (event) => {
    const input = event.target.querySelector?.("[data-composer-input]");
    if (input) closeAutocomplete(input);
  });
}
