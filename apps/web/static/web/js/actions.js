// One click handler for the whole page: elements name what they do in `data-action`,
// and each module registers the handlers it owns. Works for content swapped in later.

const handlers = {};

export function registerActions(table) {
  Object.assign(handlers, table);
}

export function startActions() {
  document.addEventListener("click", (event) => {
    const el = event.target.closest("[data-action]");
    if (!el || el.tagName === "FORM") return;
    const handler = handlers[el.dataset.action];
    if (!handler) return;
    event.preventDefault();
    handler(el, event);
  });
}

// The post element (and its id) an action button sits in.
export function postOf(el) {
  const post = el.closest("[data-post-id].post");
  return post ? { post, id: post.dataset.postId } : { post: null, id: el.dataset.postId || "" };
}
