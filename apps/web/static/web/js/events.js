// What the web client does with each realtime event of the catalogue
// (apps/realtime/catalogue.py): HANDLERS lists, by event name, the handlers the socket
// runs in order; IGNORED lists the events the page deliberately leaves alone, each with
// why. tests/web/test_event_handlers.py fails for a catalogue event in neither list and
// for a name here that is not in the catalogue. Keep both plain literals with one entry
// per event: the test reads their keys and strings from this file.

import * as channel from "./channel.js";
import * as commands from "./commands.js";
import * as drafts from "./drafts.js";
import * as notify from "./notify.js";
import * as presence from "./presence.js";
import * as rhs from "./rhs.js";
import { greeted } from "./socket.js";
import * as teams from "./teams.js";

export const HANDLERS = {
  // realtime
  hello: [greeted],
  typing: [presence.typing],
  status_change: [presence.statusChanged],

  // accounts
  preferences_changed: [rhs.savedPostsChanged],
  preferences_deleted: [rhs.savedPostsChanged],

  // teams
  added_to_team: [teams.added],
  leave_team: [teams.left, rhs.teamMembersChanged, channel.teamMembersChanged],
  update_team: [teams.updated],

  // channels
  channel_created: [channel.refreshSidebar],
  channel_updated: [channel.refreshSidebar],
  channel_deleted: [channel.refreshSidebar, channel.archivedOrRestored],
  channel_restored: [channel.refreshSidebar, channel.archivedOrRestored],
  channel_viewed: [channel.refreshSidebar],
  direct_added: [channel.refreshSidebar],
  group_added: [channel.refreshSidebar],
  user_added: [channel.membershipChanged, rhs.channelMembersChanged],
  user_removed: [channel.membershipChanged, rhs.channelMemberRemoved],
  channel_member_updated: [rhs.channelMembersChanged],

  // posts
  posted: [channel.posted, rhs.posted, presence.posted, notify.posted],
  post_edited: [channel.postEdited, rhs.postEdited],
  post_deleted: [channel.postDeleted, rhs.postDeleted],
  reaction_added: [channel.reactionChanged, rhs.reactionChanged],
  reaction_removed: [channel.reactionChanged, rhs.reactionChanged],
  draft_created: [drafts.draftChanged],
  draft_updated: [drafts.draftChanged],
  draft_deleted: [drafts.draftDeleted],
  ephemeral_message: [commands.ephemeralMessage],
};

export const IGNORED = [
  // Sent only to the account just made, which has no page open yet; others meet new
  // people through the member lists and pickers, which ask the server each time.
  "new_user",
  // Sent to the user whose account changed (a profile edit from another tab or client):
  // names and pictures on this page are the server's drawing, fresh at the next load;
  // a deactivation closes the sockets on the server's side.
  "user_updated",
  // The server closes the sockets of the revoked sessions itself; another session of the
  // same person has nothing to change.
  "session_revoked",
  // A team role changed: the web client draws nothing that depends on a team role.
  "memberrole_updated",
];
