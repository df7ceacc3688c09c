// The search box in the channel header and the results it opens in the right-hand panel.
// Focusing the empty box lists the modifiers (from:, in:, on:…); typing `from:pre` offers
// people and `in:pre` the user's channels (`in:@pre` people, for a direct message). Enter
// runs the search; the server draws the results (the API's grammar and selector, the words
// marked), and "Jump" opens a result in its channel. The box is redrawn with every channel,
// so everything here is delegated from the document.

import { fillOption } from "./listbox.js";
import { api, fragment, toast } from "./api.js";
import { registerActions } from "./actions.js";
import { closePanel } from "./rhs.js";
import { team } from "./state.js";

const DELAY_MS = 80;
const STORE_KEY = "confab.search"; // the search to reopen after a Jump loads another page
// The modifier being typed just before the caret: `from:`, `in:` or `channel:`, maybe negated.
const MODIFIER = /(^|\s)(-?)(from|in|channel):(@?)(\S*)$/i;
const RESULTS_PATH = "/_/search/results";

const state = { items: [], active: -1, key: "", seq: 0, timer: null, token: null };
let searchSeq = 0; // the newest search request; an older, slower answer is dropped
let panelMine = false; // whether #rhs shows our results
let replacing = false; // our own closePanel() call, made while taking over the panel
let lastQuery = "";

const input = () => document.getElementById("search-input");
const list = () => document.getElementById("search-suggestions");
const app = () => document.getElementById("app");

function isSearchInput(target) {
  return target instanceof HTMLElement && target.id === "search-input";
}

// A translated string the chat page carries for this module (see chat.html #search-strings).
function text(name) {
  const t = document.querySelector(`#search-strings template[data-string="${name}"]`);
  return t ? t.content.textContent.trim() : "";
}

// --- suggestions -----------------------------------------------------------------------------

function isOpen() {
  const l = list();
  return Boolean(l && !l.hidden && state.items.length);
}

function close() {
  clearTimeout(state.timer);
  state.seq += 1;
  state.items = [];
  state.active = -1;
  state.key = "";
  const l = list();
  if (l) {
    l.hidden = true;
    l.replaceChildren();
  }
  const el = input();
  if (el) {
    el.setAttribute("aria-expanded", "false");
    el.removeAttribute("aria-activedescendant");
    delete el.dataset.autocompleteOpen;
  }
}

function setActive(index) {
  const options = [...list().children];
  state.active = index;
  options.forEach((option, n) => {
    option.setAttribute("aria-selected", String(n === index));
    option.classList.toggle("is-active", n === index);
  });
  const el = input();
  if (index >= 0 && options[index]) {
    el.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  } else {
    el.removeAttribute("aria-activedescendant");
  }
}

function move(delta) {
  const count = state.items.length;
  if (!count) return;
  const next = state.active < 0 ? (delta > 0 ? 0 : count - 1) : (state.active + delta + count) % count;
  setActive(next);
}

function optionNode(item) {
  if (item.node) return item.node;
  return fillOption(document.createElement("li"), item, "search-option");
}

// Show `items`; `active` is the option Enter would take (-1: none, Enter searches).
function show(items, active) {
  const l = list();
  const el = input();
  if (!l || !el || !items.length) {
    close();
    return;
  }
  state.items = items;
  l.replaceChildren(
    ...items.map((item, index) => {
      const li = optionNode(item);
      li.id = `search-option-${index}`;
      li.setAttribute("role", "option");
      li.classList.add("search-option", `search-option--${item.kind}`);
      li.dataset.index = String(index);
      return li;
    }),
  );
  l.hidden = false;
  el.setAttribute("aria-expanded", "true");
  el.dataset.autocompleteOpen = "true";
  setActive(active);
}

function showHints() {
  const template = document.querySelector("#search-strings template[data-search-hints]");
  if (!template) return;
  state.seq += 1; // a suggestion request still on its way no longer applies
  state.key = "hints";
  const items = [...template.content.children].map((li) => ({
    kind: "hint",
    insert: li.dataset.insert || "",
    caretBack: Number(li.dataset.caretBack || 0),
    node: li.cloneNode(true),
  }));
  show(items, -1);
}

// The modifier whose value is being typed before the caret, if we complete it.
function tokenAt(el) {
  if (el.selectionStart !== el.selectionEnd) return null;
  const before = el.value.slice(0, el.selectionStart);
  const match = MODIFIER.exec(before);
  if (!match) return null;
  const [, , minus, name, at, query] = match;
  const lower = name.toLowerCase();
  const kind = lower === "from" ? "user" : at ? "direct" : "channel";
  const prefix = `${minus}${lower}:${at}`;
  return { kind, prefix, query, start: before.length - prefix.length - query.length, end: before.length };
}

function fullName(user) {
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  return user.nickname || name;
}

async function people(query, kind) {
  const params = new URLSearchParams({ name: query });
  if (team.id) params.set("in_team", team.id);
  const found = await api("GET", `users/autocomplete?${params}`);
  return (found.users || []).map((user) => ({
    kind: "user",
    glyph: "@",
    label: user.username,
    hint: fullName(user) || (kind === "direct" ? text("direct") : ""),
    value: user.username,
  }));
}

// Only channels the user is in: search never looks anywhere else (Mattermost's webapp asks
// the same route for its `in:` list).
async function channels(query) {
  if (!team.id) return [];
  const params = new URLSearchParams({ name: query });
  const found = await api("GET", `teams/${encodeURIComponent(team.id)}/channels/search_autocomplete?${params}`);
  return (found || []).map((channel) => ({
    kind: "channel",
    glyph: channel.type === "P" ? "🔒" : "#",
    label: channel.display_name || channel.name,
    hint: channel.name,
    value: channel.name,
  }));
}

function update() {
  const el = input();
  if (!el) return;
  if (!el.value) {
    if (state.key !== "hints" || !isOpen()) showHints();
    return;
  }
  const token = tokenAt(el);
  if (!token) {
    close();
    return;
  }
  state.token = token;
  const key = `${token.kind}:${token.query.toLowerCase()}`;
  if (key === state.key) return;
  // The shown list stays until the new one comes (no flicker while typing).
  clearTimeout(state.timer);
  state.seq += 1;
  state.key = key;
  const mine = state.seq;
  state.timer = setTimeout(async () => {
    let items = [];
    try {
      items = token.kind === "channel" ? await channels(token.query) : await people(token.query, token.kind);
    } catch {
      items = [];
    }
    if (mine !== state.seq || document.activeElement !== input()) return;
    show(items, 0);
    if (!items.length) state.key = key; // nothing to offer: don't ask again until the text changes
  }, DELAY_MS);
}

function replaceRange(el, start, end, insert, caretBack = 0) {
  el.value = el.value.slice(0, start) + insert + el.value.slice(end);
  const caret = start + insert.length - caretBack;
  el.setSelectionRange(caret, caret);
}

function choose(index) {
  const item = state.items[index];
  const el = input();
  if (!item || !el) return;
  if (item.kind === "hint") {
    replaceRange(el, el.selectionStart, el.selectionEnd, item.insert, item.caretBack);
  } else {
    const token = tokenAt(el) || state.token;
    if (!token) return;
    // The whole value is replaced, also any part of it after the caret.
    const rest = el.value.slice(token.end).replace(/^\S*/, "").replace(/^ /, "");
    el.value = el.value.slice(0, token.start) + rest;
    replaceRange(el, token.start, token.start, `${token.prefix}${item.value} `);
  }
  close();
  el.focus();
  update(); // `from:` chosen from the hints goes straight on to the people
}

// --- the results panel ---------------------------------------------------------------------

function showPanel(html) {
  const rhs = document.getElementById("rhs");
  if (!rhs) return false;
  if (!panelMine) {
    // Another panel (a thread, pinned…) gives way; its pending loads are dropped too.
    replacing = true;
    closePanel({ restoreFocus: false });
    replacing = false;
  }
  rhs.innerHTML = html;
  rhs.hidden = false;
  app()?.classList.add("has-rhs");
  if (app()) app().dataset.rhs = "search";
  panelMine = true;
  document.dispatchEvent(new CustomEvent("confab:rhs-opened", { detail: { kind: "search", key: lastQuery } }));
  return true;
}

export async function runSearch(terms) {
  const q = terms.trim();
  if (!q) return false;
  const mine = ++searchSeq;
  const params = new URLSearchParams({ q, page: "0" });
  if (team.id) params.set("team_id", team.id);
  let html;
  try {
    html = await fragment(`${RESULTS_PATH}?${params}`);
  } catch {
    if (mine === searchSeq) toast(text("load-failed"));
    return false;
  }
  if (mine !== searchSeq) return false;
  lastQuery = q;
  return showPanel(html);
}

async function loadMore(button) {
  const url = button.dataset.url || "";
  if (!url.startsWith(`${RESULTS_PATH}?`) || button.disabled) return;
  button.disabled = true;
  let html;
  try {
    html = await fragment(url);
  } catch {
    button.disabled = false;
    toast(text("load-failed"));
    return;
  }
  const row = button.closest("li");
  if (!row || !row.isConnected) return;
  const template = document.createElement("template");
  template.innerHTML = html;
  const added = [...template.content.children];
  row.replaceWith(...added);
  // Keyboard users continue where the new results start.
  added[0]?.querySelector("a, button")?.focus({ preventScroll: false });
}

function focusPost(post) {
  for (const other of document.querySelectorAll(".post.is-focused")) other.classList.remove("is-focused");
  post.classList.add("is-focused");
  post.scrollIntoView({ block: "center" });
  post.focus({ preventScroll: true });
}

// "Jump": a result already on screen is scrolled to; any other opens its channel (the
// permalink), and the search reopens there.
function onJump(event) {
  const link = event.target instanceof Element ? event.target.closest("a[data-search-jump]") : null;
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const item = link.closest("[data-post-id]");
  const post = item ? document.getElementById(`post-${item.dataset.postId}`) : null;
  if (post) {
    event.preventDefault();
    focusPost(post);
    return;
  }
  try {
    sessionStorage.setItem(STORE_KEY, JSON.stringify({ q: lastQuery, team: team.id }));
  } catch {
    /* storage may be off; the jump works without reopening the search */
  }
}

async function reopenAfterJump() {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
    sessionStorage.removeItem(STORE_KEY);
  } catch {
    return;
  }
  if (!saved || !saved.q || saved.team !== team.id) return;
  if (!new URLSearchParams(location.search).get("focus")) return;
  const el = input();
  if (el) el.value = saved.q;
  if (await runSearch(saved.q)) {
    // The panel narrows the messages: keep the jumped-to post in view.
    document.querySelector(".post.is-focused")?.scrollIntoView({ block: "center" });
  }
}

// --- start -----------------------------------------------------------------------------------

export function startSearch() {
  document.addEventListener("focusin", (event) => {
    if (isSearchInput(event.target)) update();
  });
  document.addEventListener("click", (event) => {
    if (isSearchInput(event.target) && !isOpen()) update();
  });
  document.addEventListener("input", (event) => {
    if (isSearchInput(event.target)) update();
  });
  document.addEventListener("focusout", (event) => {
    if (isSearchInput(event.target)) close();
  });
  document.addEventListener("keyup", (event) => {
    if (isSearchInput(event.target) && ["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) {
      update();
    }
  });
  document.addEventListener("keydown", (event) => {
    const el = event.target;
    if (!isSearchInput(el) || event.isComposing) return;
    const open = isOpen();
    if (event.key === "ArrowDown") {
      if (open) move(1);
      else update();
    } else if (event.key === "ArrowUp" && open) {
      move(-1);
    } else if (event.key === "Enter") {
      if (open && state.active >= 0) {
        choose(state.active);
      } else {
        close();
        runSearch(el.value);
      }
    } else if (event.key === "Tab" && open && state.active >= 0) {
      choose(state.active);
    } else if (event.key === "Escape" && open) {
      close();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  });
  // Choosing with the mouse keeps the focus (and the caret) in the box.
  document.addEventListener("mousedown", (event) => {
    const option = event.target instanceof Element ? event.target.closest("#search-suggestions [role='option']") : null;
    if (!option) return;
    event.preventDefault();
    choose(Number(option.dataset.index));
  });
  document.addEventListener("click", onJump);
  registerActions({ "search-more": loadMore });
  document.addEventListener("confab:rhs-opened", (event) => {
    if (event.detail?.kind !== "search") panelMine = false;
  });
  document.addEventListener("confab:rhs-closed", () => {
    if (replacing || !panelMine) return;
    panelMine = false;
    const active = document.activeElement;
    if (!active || active === document.body) input()?.focus({ preventScroll: true });
  });
  // A new channel redraws the box: it keeps showing the search whose results are open.
  document.addEventListener("confab:channel-opened", () => {
    const el = input();
    if (el && panelMine && !el.value) el.value = lastQuery;
  });
  reopenAfterJump();
}
