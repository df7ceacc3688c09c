// What the page knows about itself: who is signed in, the team and the open channel.

const app = () => document.getElementById("app");

export const me = {
  get id() {
    return app()?.dataset.userId || "";
  },
  get username() {
    return app()?.dataset.username || "";
  },
};

export const team = {
  get id() {
    return app()?.dataset.teamId || "";
  },
  get name() {
    return app()?.dataset.teamName || "";
  },
};

export function currentChannel() {
  const el = document.getElementById("channel");
  return el
    ? { id: el.dataset.channelId, name: el.dataset.channelName, type: el.dataset.channelType,
        label: el.dataset.channelLabel, member: el.dataset.member === "true", el }
    : null;
}

export function militaryTime() {
  return app()?.dataset.militaryTime === "true";
}

// Translated strings the server put in the page (`<div id="core-strings" data-...>`):
// scripts never carry English text of their own.
export function strings(id = "core-strings") {
  return document.getElementById(id)?.dataset || {};
}
