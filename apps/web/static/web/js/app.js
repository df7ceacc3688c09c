// The chat screen's script: one socket, one click dispatcher, and each feature's module.
// Every module is started before the socket connects, so no handler (events.js) misses a frame.

import { registerActions, startActions } from "./actions.js";
import { api } from "./api.js";
import { startAutocomplete } from "./autocomplete.js";
import { startChannel } from "./channel.js";
import { startChannelMenu } from "./channel-menu.js";
import { startChannelsUi } from "./channels-ui.js";
import { startCommands } from "./commands.js";
import { startComposer } from "./composer.js";
import { startDrafts } from "./drafts.js";
import { HANDLERS } from "./events.js";
import { startNotify } from "./notify.js";
import { startPresence } from "./presence.js";
import { startReactions } from "./reactions.js";
import { startRhs } from "./rhs.js";
import { startSearch } from "./search.js";
import { connect } from "./socket.js";
import { startSwitcher } from "./switcher.js";
import { startUploads } from "./upload.js";

// Times and day separators are drawn by the server in the reader's zone: tell it the
// browser's zone when it changes, as Mattermost's web app does (the next load uses it).
function syncTimeZone() {
  const app = document.getElementById("app");
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!app || !zone || app.dataset.automaticTimeZone === zone) return;
  api("PUT", "users/me/patch", {
    timezone: { useAutomaticTimezone: "true", automaticTimezone: zone, manualTimezone: "" },
  }).catch(() => {});
}

startActions();
registerActions({
  // Phones: the sidebar slides over the messages and closes when a channel is chosen.
  "toggle-sidebar": () => document.getElementById("app")?.classList.toggle("sidebar-open"),
});
document.addEventListener("confab:channel-opened", () =>
  document.getElementById("app")?.classList.remove("sidebar-open"),
);
syncTimeZone();
startChannel();
startComposer();
startDrafts();
startRhs();
startReactions();
startUploads();
startAutocomplete();
startCommands();
startSwitcher();
startChannelsUi();
startChannelMenu();
startPresence();
startNotify();
startSearch();
connect(HANDLERS);
