// Files in the chat: attaching them to a message, and looking at the images of one.
//
// Each file goes up on its own through POST /api/v4/files as soon as it is chosen (paper
// clip, drag and drop, or paste), as Mattermost's web app does, with XMLHttpRequest so the
// chip can show its progress. The composer asks `form.fileIds()` for the finished uploads
// when it sends, and sending waits (the form is busy) while any upload is still running.
// Thumbnails in messages get their final size before they load, and clicking one opens
// the preview in a <dialog> instead of a new tab.
// Every string shown here comes from chat.html's #files-strings, already translated.

import { cookie, toast } from "./api.js";

const MAX_FILES = 10; // per message, as Mattermost
const uploads = new WeakMap(); // form -> its list of entries

function text(name, values = {}) {
  const t = document.querySelector(`#files-strings template[data-string="${name}"]`);
  let s = t ? t.content.textContent.trim() : "";
  for (const [key, value] of Object.entries(values)) s = s.replace(`{${key}}`, String(value));
  return s;
}

function formatSize(bytes) {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  const lang = document.documentElement.lang || undefined;
  return new Intl.NumberFormat(lang, {
    style: "unit",
    unit: units[i],
    unitDisplay: "short",
    maximumFractionDigits: i ? 1 : 0,
  }).format(n);
}

function extension(name) {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : "";
}

function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- the chips under the composer -------------------------------------------------------------

function entriesOf(form) {
  if (!uploads.has(form)) uploads.set(form, []);
  return uploads.get(form);
}

function box(form) {
  return form.querySelector("[data-composer-files]");
}

function el(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function makeChip(entry, onRemove) {
  const { file } = entry;
  const chip = el("div", "file-chip");
  chip.dataset.state = "uploading";
  chip.setAttribute("role", "group");
  chip.setAttribute("aria-label", file.name);
  if (file.type.startsWith("image/")) {
    entry.objectUrl = URL.createObjectURL(file);
    const img = el("img", "file-chip-thumb");
    img.alt = "";
    img.src = entry.objectUrl;
    chip.append(img);
  } else {
    const ext = el("span", "file-chip-ext", extension(file.name) || "FILE");
    ext.setAttribute("aria-hidden", "true");
    chip.append(ext);
  }
  const meta = el("span", "file-chip-meta");
  meta.append(el("span", "file-chip-name", file.name), el("span", "file-chip-size", formatSize(file.size)));
  const progress = el("progress", "file-chip-progress");
  progress.max = 100;
  progress.value = 0;
  progress.setAttribute("aria-label", text("progress", { name: file.name }));
  const error = el("span", "file-chip-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  meta.append(progress, error);
  const remove = el("button", "icon-btn file-chip-remove", "×");
  remove.type = "button";
  const label = text("remove", { name: file.name });
  remove.setAttribute("aria-label", label);
  remove.title = label;
  remove.addEventListener("click", onRemove);
  chip.append(meta, remove);
  entry.chip = chip;
  entry.progress = progress;
  entry.error = error;
  return chip;
}

// While anything is uploading the form is busy, so the composer does not send without it.
function refresh(form) {
  const entries = entriesOf(form);
  const container = box(form);
  if (container) container.hidden = entries.length === 0;
  const uploading = entries.some((e) => e.state === "uploading");
  if (uploading) {
    form.dataset.uploading = "true";
    form.dataset.busy = "true";
  } else if (form.dataset.uploading === "true") {
    delete form.dataset.uploading;
    form.dataset.busy = "false";
  }
}

function dispose(entry) {
  if (entry.xhr && entry.state === "uploading") entry.xhr.abort();
  if (entry.objectUrl) URL.revokeObjectURL(entry.objectUrl);
  entry.chip?.remove();
}

function removeEntry(form, entry) {
  const entries = entriesOf(form);
  const index = entries.indexOf(entry);
  if (index >= 0) entries.splice(index, 1);
  dispose(entry);
  refresh(form);
  form.querySelector("[data-composer-input]")?.focus();
}

function clearAll(form) {
  const entries = entriesOf(form);
  entries.splice(0).forEach(dispose);
  refresh(form);
}

function fail(form, entry, message) {
  entry.state = "error";
  entry.chip.dataset.state = "error";
  entry.progress.hidden = true;
  entry.error.textContent = message || text("failed");
  entry.error.hidden = false;
  refresh(form);
}

function errorMessage(xhr) {
  try {
    const body = JSON.parse(xhr.responseText);
    if (body && typeof body.message === "string" && body.message) return body.message;
  } catch {
    /* not an AppError (a proxy's page, say): the generic message */
  }
  return xhr.status === 413 ? text("too-large") : text("failed");
}

function send(form, entry) {
  const data = new FormData();
  data.append("channel_id", form.dataset.channelId);
  data.append("client_ids", entry.clientId);
  data.append("files", entry.file, entry.file.name);
  const xhr = new XMLHttpRequest();
  entry.xhr = xhr;
  xhr.open("POST", "/api/v4/files");
  xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
  xhr.setRequestHeader("X-CSRF-Token", cookie("MMCSRF"));
  xhr.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) entry.progress.value = Math.round((event.loaded / event.total) * 100);
    refresh(form); // a send that finished meanwhile cleared the busy flag
  });
  xhr.addEventListener("load", () => {
    if (xhr.status !== 201) {
      fail(form, entry, errorMessage(xhr));
      return;
    }
    let info = null;
    try {
      info = JSON.parse(xhr.responseText).file_infos[0];
    } catch {
      info = null;
    }
    if (!info || !info.id) {
      fail(form, entry, text("failed"));
      return;
    }
    entry.id = info.id;
    entry.state = "done";
    entry.progress.value = 100;
    entry.progress.hidden = true;
    entry.chip.dataset.state = "done";
    entry.chip.dataset.fileId = info.id;
    refresh(form);
  });
  xhr.addEventListener("error", () => fail(form, entry, text("failed")));
  xhr.send(data);
}

export function addFiles(form, fileList) {
  const files = Array.from(fileList || []);
  if (!files.length || !form.dataset.channelId) return;
  const entries = entriesOf(form);
  const room = MAX_FILES - entries.filter((e) => e.state !== "error").length;
  if (files.length > room) toast(text("too-many", { max: MAX_FILES }));
  const container = box(form);
  for (const file of files.slice(0, Math.max(room, 0))) {
    const entry = { file, clientId: newClientId(), state: "uploading", id: "" };
    entries.push(entry);
    container?.append(makeChip(entry, () => removeEntry(form, entry)));
    send(form, entry);
  }
  refresh(form);
}

function wire(form) {
  if (form.dataset.uploadsWired) return;
  form.dataset.uploadsWired = "true";
  form.fileIds = () => entriesOf(form).filter((e) => e.state === "done").map((e) => e.id);
  const input = form.querySelector("[data-composer-file-input]");
  input?.addEventListener("change", () => {
    addFiles(form, input.files);
    input.value = ""; // choosing the same file again is a new upload
  });
  form.querySelector("[data-composer-input]")?.addEventListener("paste", (event) => {
    const files = event.clipboardData?.files;
    if (files && files.length) {
      event.preventDefault();
      addFiles(form, files);
    }
  });
  form.addEventListener("confab:sent", () => clearAll(form));
}

export function wireUploads(root = document) {
  root.querySelectorAll("form.composer").forEach(wire);
}

// --- drag and drop onto the centre or the side panel ---------------------------------------

let dropZone = null;

function hasFiles(event) {
  return Array.from(event.dataTransfer?.types || []).includes("Files");
}

function composerIn(zone) {
  const form = zone?.querySelector("form.composer");
  return form && !zone.hidden ? form : null;
}

function setDropZone(zone) {
  if (zone === dropZone) return;
  if (dropZone) {
    dropZone.classList.remove("is-drop-target", "drop-zone-positioned");
    dropZone.querySelector(":scope > .drop-overlay")?.remove();
  }
  dropZone = zone;
  if (!zone) return;
  if (getComputedStyle(zone).position === "static") zone.classList.add("drop-zone-positioned");
  zone.classList.add("is-drop-target");
  const overlay = el("div", "drop-overlay");
  overlay.setAttribute("aria-hidden", "true");
  overlay.append(el("span", "drop-overlay-icon", "⇪"), el("span", "drop-overlay-text", text("drop")));
  zone.append(overlay);
}

function zoneOf(event) {
  const zone = event.target instanceof Element ? event.target.closest("#rhs, #center") : null;
  return composerIn(zone) ? zone : null;
}

function startDragAndDrop() {
  document.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault(); // never let the browser open a dropped file instead of the chat
    const zone = zoneOf(event);
    event.dataTransfer.dropEffect = zone ? "copy" : "none";
    setDropZone(zone);
  });
  document.addEventListener("dragleave", (event) => {
    const to = event.relatedTarget;
    if (!to || !(to instanceof Node) || !dropZone?.contains(to)) setDropZone(null);
  });
  document.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    const zone = zoneOf(event);
    setDropZone(null);
    const form = composerIn(zone);
    if (form) {
      addFiles(form, event.dataTransfer.files);
      form.querySelector("[data-composer-input]")?.focus();
    }
  });
  document.addEventListener("dragend", () => setDropZone(null));
}

// --- thumbnails in messages ------------------------------------------------------------------

const THUMB_BOX = [480, 360]; // what GET /files/{id}/thumbnail fits into

// An image still loading has no size, so the list would jump (and lose its place at the
// bottom) when it arrives. The post carries the original's width and height: give each
// thumbnail its final width now; its height follows from that ratio (files.css). A list
// that was scrolled to the bottom is kept there.
const NEAR_BOTTOM_PX = 120;

function unfitted(root) {
  const selector = ".file-image img:not([data-fitted])";
  if (root.matches?.(selector)) return [root];
  return root.querySelectorAll ? [...root.querySelectorAll(selector)] : [];
}

function fitThumbnails(images) {
  const scrollers = new Map();
  for (const img of images) {
    const s = img.closest("#message-scroller, [data-rhs-scroll]");
    if (s && !scrollers.has(s)) {
      scrollers.set(s, s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX);
    }
  }
  for (const img of images) {
    const width = Number(img.getAttribute("width"));
    const height = Number(img.getAttribute("height"));
    img.dataset.fitted = "true";
    if (!(width > 0 && height > 0)) continue;
    const scale = Math.min(1, THUMB_BOX[0] / width, THUMB_BOX[1] / height);
    img.style.setProperty("width", `${Math.max(1, Math.round(width * scale))}px`);
  }
  for (const [s, stick] of scrollers) {
    if (stick) s.scrollTop = s.scrollHeight;
  }
}

function startThumbnails() {
  fitThumbnails(unfitted(document));
  new MutationObserver((records) => {
    const images = [];
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) images.push(...unfitted(node));
      }
    }
    if (images.length) fitThumbnails(images);
  }).observe(document.body, { childList: true, subtree: true });
}

// --- the image viewer -----------------------------------------------------------------------

let viewer = null;
let viewerOpener = null;

function buildViewer() {
  const dialog = el("dialog", "lightbox");
  dialog.setAttribute("aria-label", text("viewer"));
  const close = el("button", "icon-btn lightbox-close", "×");
  close.type = "button";
  close.setAttribute("aria-label", text("close"));
  close.title = text("close");
  close.addEventListener("click", () => dialog.close());
  const figure = el("figure", "lightbox-figure");
  const img = el("img", "lightbox-image");
  const caption = el("figcaption", "lightbox-caption");
  const name = el("span", "lightbox-name");
  const download = el("a", "btn lightbox-download", text("download"));
  download.setAttribute("download", "");
  const original = el("a", "btn lightbox-open", text("open"));
  original.target = "_blank";
  original.rel = "noopener";
  caption.append(name, download, original);
  figure.append(img, caption);
  dialog.append(close, figure);
  // A click on the backdrop (the dialog itself, outside the figure) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => {
    img.removeAttribute("src");
    viewerOpener?.focus();
    viewerOpener = null;
  });
  (document.getElementById("modal-root") || document.body).append(dialog);
  return { dialog, img, name, download, original, close };
}

function openViewer(link) {
  viewer = viewer && viewer.dialog.isConnected ? viewer : buildViewer();
  const id = link.dataset.fileId;
  const label = link.querySelector("img")?.alt || "";
  viewer.img.src = link.href;
  viewer.img.alt = label;
  viewer.name.textContent = label;
  viewer.download.href = `/api/v4/files/${encodeURIComponent(id)}?download=1`;
  viewer.original.href = link.href;
  viewerOpener = link;
  viewer.dialog.showModal();
  viewer.close.focus();
}

function startViewer() {
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.file-image") : null;
    if (!link || !link.dataset.fileId) return;
    // A modified click keeps its usual meaning (a new tab, a new window).
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    openViewer(link);
  });
}

export function startUploads() {
  wireUploads();
  document.body.addEventListener("htmx:afterSwap", () => wireUploads());
  document.addEventListener("confab:rhs-opened", () => wireUploads());
  startDragAndDrop();
  startThumbnails();
  startViewer();
}
