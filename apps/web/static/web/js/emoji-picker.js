// The emoji picker: one popover for the whole page, drawn by the server on first use
// (search box, category tabs, the curated grid) and placed next to whatever opened it.
// Search asks the server, which knows every shortcode; the recently used ones are kept
// in this browser. Keys: arrows move through the grid, Enter picks, Escape closes.

import { fragment } from "./api.js";

const RECENT_KEY = "confab.emoji.recent";
const RECENT_MAX = 18;
const GAP_PX = 6;
const EDGE_PX = 8;

let picker = null;
let loading = null;
let anchor = null;
let onPick = null;
let searchTimer = null;
let searchSeq = 0;

function $(selector) {
  return picker.querySelector(selector);
}

async function load() {
  if (picker) return picker;
  if (!loading) {
    loading = fragment("/_/rhs/emoji-picker")
      .then((html) => {
        const template = document.createElement("template");
        template.innerHTML = html;
        picker = template.content.querySelector("[data-emoji-picker]");
        document.body.append(picker);
        wire();
        return picker;
      })
      .catch((error) => {
        loading = null;
        throw error;
      });
  }
  return loading;
}

export function pickerOpen() {
  return Boolean(picker && !picker.hidden);
}

// Show the picker by `anchorEl`; `pick(name)` runs with the chosen emoji's name.
// Opening it again from the same button closes it.
export async function openPicker(anchorEl, pick) {
  await load();
  if (pickerOpen() && anchor === anchorEl) {
    closePicker();
    return;
  }
  anchor = anchorEl;
  onPick = pick;
  const search = $("[data-emoji-search]");
  search.value = "";
  showResults(false);
  renderRecent();
  picker.hidden = false;
  place();
  $("[data-emoji-scroll]").scrollTop = 0;
  markTab();
  resetRoving();
  preview(null);
  search.focus({ preventScroll: true });
}

export function closePicker({ restoreFocus = true } = {}) {
  if (!pickerOpen()) return;
  picker.hidden = true;
  clearTimeout(searchTimer);
  const back = anchor;
  anchor = null;
  onPick = null;
  if (restoreFocus && back && back.isConnected) back.focus({ preventScroll: true });
}

// Above the button when there is room (the composer and post menus sit low), else below;
// kept inside the window. Custom properties, since the CSP refuses style attributes.
function place() {
  const rect = anchor.getBoundingClientRect();
  const width = picker.offsetWidth;
  const height = picker.offsetHeight;
  const left = Math.max(EDGE_PX, Math.min(rect.right - width, window.innerWidth - width - EDGE_PX));
  let top = rect.top - height - GAP_PX;
  if (top < EDGE_PX) {
    top = Math.max(EDGE_PX, Math.min(rect.bottom + GAP_PX, window.innerHeight - height - EDGE_PX));
  }
  picker.style.setProperty("--picker-left", `${Math.round(left)}px`);
  picker.style.setProperty("--picker-top", `${Math.round(top)}px`);
}

function choose(button) {
  const name = button.dataset.emojiName;
  if (!name) return;
  remember(name, button.textContent);
  const pick = onPick;
  closePicker();
  if (pick) pick(name);
}

// --- recently used ------------------------------------------------------------------------------

function recent() {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY) || "[]");
    return Array.isArray(list) ? list.filter((e) => e && typeof e.name === "string") : [];
  } catch {
    return [];
  }
}

function remember(name, char) {
  const list = [{ name, char }, ...recent().filter((e) => e.name !== name)].slice(0, RECENT_MAX);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    /* private mode or full storage: the picker just forgets */
  }
}

function emojiButton(name, char) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "emoji-btn";
  button.dataset.emojiName = name;
  button.title = `:${name}:`;
  button.setAttribute("aria-label", `:${name}:`);
  button.tabIndex = -1;
  button.textContent = char;
  return button;
}

function renderRecent() {
  const list = recent();
  const section = $('[data-emoji-section="recent"]');
  section.querySelector("[data-emoji-grid]").replaceChildren(
    ...list.map((e) => emojiButton(e.name, String(e.char || "")))
  );
  section.hidden = !list.length;
  $('[data-emoji-tab="recent"]').hidden = !list.length;
}

// --- search -------------------------------------------------------------------------------------

function showResults(on) {
  for (const section of picker.querySelectorAll("[data-emoji-section]")) {
    section.classList.toggle("is-filtered-out", on);
  }
  $("[data-emoji-results]").hidden = !on;
  $("[data-emoji-tabs]").classList.toggle("is-disabled", on);
}

async function search(query) {
  const seq = ++searchSeq;
  if (!query) {
    showResults(false);
    resetRoving();
    return;
  }
  let data;
  try {
    const response = await fetch(`${picker.dataset.lookupUrl}?q=${encodeURIComponent(query)}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return;
    data = await response.json();
  } catch {
    return;
  }
  if (seq !== searchSeq || !pickerOpen()) return;
  const results = $("[data-emoji-results]");
  const found = (data.results || []).map((e) => emojiButton(String(e.name), String(e.char)));
  results.querySelector("[data-emoji-grid]").replaceChildren(...found);
  results.querySelector("[data-emoji-empty]").hidden = found.length > 0;
  showResults(true);
  $("[data-emoji-scroll]").scrollTop = 0;
  resetRoving();
  preview(found[0] || null);
}

// --- keyboard -----------------------------------------------------------------------------------

function visibleButtons() {
  return [...picker.querySelectorAll(".emoji-section:not([hidden]):not(.is-filtered-out) .emoji-btn")];
}

function resetRoving() {
  for (const b of picker.querySelectorAll('.emoji-btn[tabindex="0"]')) b.tabIndex = -1;
  const first = visibleButtons()[0];
  if (first) first.tabIndex = 0;
}

function focusButton(button) {
  if (!button) return;
  for (const b of picker.querySelectorAll('.emoji-btn[tabindex="0"]')) b.tabIndex = -1;
  button.tabIndex = 0;
  button.focus();
  button.scrollIntoView({ block: "nearest" });
}

// The button in the next row up or down, in the column nearest to this one's.
function vertical(buttons, from, down) {
  const here = from.getBoundingClientRect();
  let rowTop = null;
  let best = null;
  let bestDistance = Infinity;
  for (const b of buttons) {
    const r = b.getBoundingClientRect();
    const beyond = down ? r.top > here.top + 2 : r.top < here.top - 2;
    if (!beyond) continue;
    const closer = rowTop === null || (down ? r.top < rowTop - 2 : r.top > rowTop + 2);
    if (closer) {
      rowTop = r.top;
      best = null;
      bestDistance = Infinity;
    }
    if (Math.abs(r.top - rowTop) <= 2) {
      const distance = Math.abs(r.left - here.left);
      if (distance < bestDistance) {
        best = b;
        bestDistance = distance;
      }
    }
  }
  return best;
}

function onKey(event) {
  if (event.key === "Escape") {
    event.preventDefault();
    event.stopPropagation();
    closePicker();
    return;
  }
  const searchBox = event.target.closest("[data-emoji-search]");
  const buttons = visibleButtons();
  if (searchBox) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      focusButton(buttons[0]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (buttons[0] && searchBox.value.trim()) choose(buttons[0]);
    }
    return;
  }
  const button = event.target.closest(".emoji-btn");
  if (!button) return;
  const index = buttons.indexOf(button);
  let next = null;
  switch (event.key) {
    case "ArrowRight":
      next = buttons[index + 1];
      break;
    case "ArrowLeft":
      next = buttons[index - 1];
      break;
    case "ArrowDown":
      next = vertical(buttons, button, true);
      break;
    case "ArrowUp":
      next = vertical(buttons, button, false);
      if (!next) {
        event.preventDefault();
        $("[data-emoji-search]").focus();
        return;
      }
      break;
    case "Home":
      next = buttons[0];
      break;
    case "End":
      next = buttons[buttons.length - 1];
      break;
    default:
      return;
  }
  event.preventDefault();
  focusButton(next);
}

// --- the rest of the wiring -----------------------------------------------------------------------

function preview(button) {
  const char = $("[data-emoji-preview-char]");
  const name = $("[data-emoji-preview-name]");
  if (!name.dataset.placeholder) name.dataset.placeholder = name.textContent;
  char.textContent = button ? button.textContent : "";
  name.textContent = button ? `:${button.dataset.emojiName}:` : name.dataset.placeholder;
}

// The tab of the category scrolled to.
function markTab() {
  const scroller = $("[data-emoji-scroll]");
  let active = "";
  for (const section of picker.querySelectorAll("[data-emoji-section]")) {
    if (section.hidden) continue;
    if (section.offsetTop <= scroller.scrollTop + 8) active = section.dataset.emojiSection;
    if (!active) active = section.dataset.emojiSection;
  }
  for (const tab of picker.querySelectorAll("[data-emoji-tab]")) {
    const on = tab.dataset.emojiTab === active;
    tab.classList.toggle("is-active", on);
    tab.setAttribute("aria-pressed", on ? "true" : "false");
  }
}

function wire() {
  picker.addEventListener("click", (event) => {
    const button = event.target.closest(".emoji-btn");
    if (button) {
      choose(button);
      return;
    }
    const tab = event.target.closest("[data-emoji-tab]");
    if (tab) {
      const search = $("[data-emoji-search]");
      if (search.value) {
        search.value = "";
        showResults(false);
      }
      const section = $(`[data-emoji-section="${tab.dataset.emojiTab}"]`);
      const scroller = $("[data-emoji-scroll]");
      if (section) scroller.scrollTop = section.offsetTop;
      markTab();
    }
  });
  picker.addEventListener("keydown", onKey);
  picker.addEventListener("mouseover", (event) => {
    const button = event.target.closest(".emoji-btn");
    if (button) preview(button);
  });
  picker.addEventListener("focusin", (event) => {
    const button = event.target.closest(".emoji-btn");
    if (button) preview(button);
  });
  $("[data-emoji-scroll]").addEventListener("scroll", markTab, { passive: true });
  $("[data-emoji-search]").addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    const query = event.target.value.trim();
    searchTimer = setTimeout(() => search(query), 120);
  });
  // A press anywhere else closes it (the opening button toggles it itself).
  document.addEventListener("pointerdown", (event) => {
    if (!pickerOpen()) return;
    if (picker.contains(event.target) || (anchor && anchor.contains(event.target))) return;
    closePicker({ restoreFocus: false });
  });
  window.addEventListener("resize", () => {
    if (pickerOpen() && anchor?.isConnected) place();
    else closePicker({ restoreFocus: false });
  });
}
