// The Mattermost WebSocket, as every other client speaks it. The session cookie
// authenticates; after a drop the socket resumes with connection_id and
// sequence_number so the server replays what was missed, or the page reloads its
// state when the server could not keep it. Each event goes to the handlers that
// events.js lists for it: the page's modules never listen to the socket themselves,
// so that one table says what the page does with every event of the catalogue.

let socket = null;
let handlers = {};
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
  if (!frame || typeof frame !== "object") return;
  if (typeof frame.seq === "number") lastSeq = frame.seq;
  if (!frame.event) return;
  for (const handler of handlers[frame.event] || []) {
    try {
      handler(frame.data || {}, frame.broadcast || {});
    } catch (error) {
      // One handler's failure leaves the others running, and is still reported.
      reportError(error);
    }
  }
}

// `hello`: the connection is (re)established. A new connection id after a drop means
// the server could not replay what was missed, so the page asks its modules to resync.
export function greeted(data) {
  const resumed = connectionId && connectionId === data.connection_id;
  connectionId = data.connection_id || "";
  document.documentElement.dataset.socket = "open";
  if (!resumed && retries > 0) {
    document.dispatchEvent(new CustomEvent("confab:resync"));
  }
  retries = 0;
}

function open() {
  socket = new WebSocket(url());
  socket.addEventListener("message", (message) => {
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch (error) {
      console.warn("confab: unreadable socket frame", error);
      return;
    }
    dispatch(frame);
  });
  socket.addEventListener("close", () => {
    document.documentElement.dataset.socket = "closed";
    retries += 1;
    const delay = Math.min(30000, 500 * 2 ** Math.min(retries, 6)) * (0.5 + Math.random() / 2);
    setTimeout(open, delay);
  });
}

// Open the socket; `table` maps each event name to the handlers it runs, in order.
export function connect(table) {
  handlers = table;
  open();
}

export function send(action, data) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify({ action, seq: actionSeq++, data }));
  return true;
}
