// One option row of a suggestion list (composer autocomplete, search box): an optional
// glyph, the label and a hint, all set as text. Each list styles them by its own prefix.

export function fillOption(li, item, prefix) {
  const part = (name, text) => {
    const span = document.createElement("span");
    span.className = `${prefix}-${name}`;
    span.textContent = text;
    return span;
  };
  if (item.glyph) {
    const glyph = part("glyph", item.glyph);
    glyph.setAttribute("aria-hidden", "true");
    li.append(glyph);
  }
  li.append(part("main", item.label));
  if (item.hint) li.append(part("hint", item.hint));
  return li;
}
