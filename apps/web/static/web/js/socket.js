// The Mattermost WebSocket, as every other client speaks it. The session cookie
// authenticates; after a drop the socket resumes with connection_id and
// sequence_number so the server replays what was missed, or the page reloads its
// state when the server could not keep it. Each event is re-dispatched on `document`
// as a `confab:ws` CustomEvent, so the page's modules listen without knowing the socket.

let socket = null;
let connectionId = "";
let lastSeq = -1;
let retries = 0;
let actionSeq = 1;

function url() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const params = new URLSearchParams();
  if (connectionId) {
    params.set("connection_id", connectionId);
    params.set("sequence_number", String(lastSeq + 1));
  }
  const query = params.toString();
  return `${scheme}//${location.host}/api/v4/websocket${query ? "?" + query : ""}`;
}

function dispatch(frame) {
  if (typeof frame.seq === "number") lastSeq = frame.seq;
  if (frame.event === "hello") {
    const resumed = connectionId && connectionId === frame.data.connection_id;
    connectionId = frame.data.connection_id;
    document.documentElement.dataset.socket = "open";
    if (!resumed && retries > 0) {
      document.dispatchEvent(new CustomEvent("confab:resync"));
    }
    retries = 0;
  }
  if (frame.event) {
    document.dispatchEvent(new CustomEvent("confab:ws", { detail: frame }));
  }
}

export function connect() {
  socket = new WebSocket(url());
  socket.addEventListener("message", (message) => {
    try {
      dispatch(JSON.parse(message.data));
    } catch (error) {
      console.warn("confab: unreadable socket frame", error);
    }
  });
  socket.addEventListener("close", () => {
    document.documentElement.dataset.socket = "closed";
    retries += 1;
    const delay = Math.min(30000, 500 * 2 ** Math.min(retries, 6)) * (0.5 + Math.random() / 2);
    setTimeout(connect, delay);
  });
}

export function send(action, data) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify({ action, seq: actionSeq++, data }));
  return true;
}

export function onEvent(name, handler) {
  document.addEventListener("confab:ws", (event) => {
    if (event.detail.event === name) handler(event.detail.data || {}, event.detail.broadcast || {});
  });
}
