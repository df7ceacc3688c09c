// Settings page: a live preview of the theme form (light/dark and custom colours) before
// it is saved. Saving is a plain form post; without this script the page works the same.

const VARIABLES = {
  sidebarBg: "--sidebar-bg",
  sidebarText: "--sidebar-fg",
  buttonBg: "--accent",
  mentionBg: "--mention-bg",
};

const root = document.documentElement;

// Colour inputs only take #rrggbb; CSS variables may hold #rgb or other forms.
function asHex(value) {
  const text = value.trim().toLowerCase();
  if (/^#[0-9a-f]{6}$/.test(text)) return text;
  if (/^#[0-9a-f]{3}$/.test(text)) return "#" + [...text.slice(1)].map((c) => c + c).join("");
  return "";
}

function wireThemeForm(form) {
  const custom = form.querySelector('input[name="custom_colours"]');
  const pickers = [...form.querySelectorAll("input[data-colour-key]")];
  const box = form.querySelector(".settings-colours");
  const savedSheet = document.querySelector("link[data-theme-css]");

  function applyPickers() {
    for (const input of pickers) {
      root.style.setProperty(VARIABLES[input.dataset.colourKey], input.value);
    }
  }

  function clearPickers() {
    for (const input of pickers) root.style.removeProperty(VARIABLES[input.dataset.colourKey]);
  }

  // Without custom colours the pickers show what the chosen theme itself uses.
  function pickersFromTheme() {
    const computed = getComputedStyle(root);
    for (const input of pickers) {
      const hex = asHex(computed.getPropertyValue(VARIABLES[input.dataset.colourKey]));
      if (hex) input.value = hex;
    }
  }

  function sync() {
    const on = custom ? custom.checked : true;
    box?.classList.toggle("settings-colours-off", !on);
    if (on) {
      if (savedSheet) savedSheet.disabled = false;
      applyPickers();
    } else {
      clearPickers();
      if (savedSheet) savedSheet.disabled = true;
      pickersFromTheme();
    }
  }

  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target.name === "theme_type") {
      root.dataset.theme = target.value;
      sync();
    } else if (target === custom) {
      sync();
    }
  });

  form.addEventListener("input", (event) => {
    if (!event.target.matches("input[data-colour-key]")) return;
    if (custom && !custom.checked) custom.checked = true;
    sync();
  });

  if (custom && !custom.checked) box?.classList.add("settings-colours-off");
}

const themeForm = document.querySelector("form[data-theme-form]");
if (themeForm) wireThemeForm(themeForm);
