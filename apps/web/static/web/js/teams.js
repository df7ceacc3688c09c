// The team rail (the team icons on the far left) kept live from the socket: a team you
// are added to appears, one you leave or are removed from goes, and a renamed team shows
// its new name. Removed from the team on screen, the page moves to another of your teams,
// or to the team selection when none is left.

import { me, team } from "./state.js";

function rail() {
  return document.querySelector(".team-rail");
}

function iconOf(teamId) {
  return rail()?.querySelector(`.team-icon[data-team-id="${CSS.escape(teamId)}"]`) || null;
}

// `added_to_team` (sent to the one added): the server draws the rail again, as part of
// the page on screen.
export async function added(data) {
  if (data.user_id !== me.id || iconOf(data.team_id)) return;
  try {
    const response = await fetch(location.pathname, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector(".team-rail");
    if (fresh) rail()?.replaceWith(document.adoptNode(fresh));
  } catch {
    /* the team shows at the next load */
  }
}

let leaving = false;

// `leave_team`: you left or were removed. Others' copies change the members shown
// (rhs.js, channel.js), not the rail.
export function left(data) {
  if (data.user_id !== me.id) return;
  iconOf(data.team_id)?.remove();
  if (data.team_id !== team.id || leaving) return;
  // The sidebar and the channel belong to a team you no longer see: go elsewhere.
  leaving = true;
  const next = rail()?.querySelector(".team-icon[data-team-id]");
  const selection = rail()?.querySelector(".team-icon--add");
  location.assign(next?.href || selection?.href || "/");
}

// `update_team`: a new display name, on the rail and (for the team on screen) above
// the sidebar. The initials are cut as the template cuts them: two characters.
export function updated(data) {
  let changed = null;
  try {
    changed = JSON.parse(data.team);
  } catch {
    return;
  }
  const name = changed?.display_name;
  if (!name) return;
  const icon = iconOf(data.team_id);
  if (icon) {
    icon.textContent = [...name].slice(0, 2).join("").toUpperCase();
    icon.title = name;
    icon.setAttribute("aria-label", name);
  }
  if (data.team_id === team.id) {
    const heading = document.querySelector(".sidebar-team-name");
    if (heading) heading.textContent = name;
  }
}
