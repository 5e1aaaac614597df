// The one WebSocket client of KyHop's pages, and the one way their scripts POST with the CSRF
// token. ES module from 'self', no dependencies (the CSP allows no inline script nor eval).
//
// Every frame is the envelope of kyhop/realtime.py, {type, seq, payload}: a snapshot of the
// state with the number it is current to, then numbered events, and replies meant for this
// socket alone with seq null. Events are applied in order: those at or below the last number
// are already in the state and dropped; a gap means something was lost on the way, so the
// client asks for a snapshot and holds what comes until it arrives. Every (re)connection
// waits for the snapshot the server sends on connect.

const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30000;
export const CLOSE_FORBIDDEN = 4403;

// onSnapshot(payload, seq), onEvent(type, payload, seq), onPersonal(type, payload),
// onState("open" | "lost" | "forbidden", closeEvent). After "forbidden" it stays closed: the
// server refused this person, and asking again cannot help.
// streamOf(payload): which numbered stream a snapshot or event belongs to, for a socket whose
// numbering starts again at 1 with each stream (bulk signing: one per job). pingMs: a ping at
// that interval keeps the connection alive, and the pong's number reveals a lost event.
export function openSocket({
  path,
  onSnapshot,
  onEvent,
  onPersonal = () => {},
  onState = () => {},
  snapshotType = "snapshot",
  streamOf = () => null,
  pingMs = 0,
}) {
  let socket = null;
  let seq = null; // the number of the last event applied; null while waiting for a snapshot
  let stream = null;
  let held = []; // numbered events that arrived while waiting for a snapshot
  let backoff = BACKOFF_FIRST_MS;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}${path}`);
    seq = null;
    held = [];
    socket.addEventListener("open", () => {
      backoff = BACKOFF_FIRST_MS;
      onState("open");
    });
    socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      if (event.code === CLOSE_FORBIDDEN) return onState("forbidden", event);
      onState("lost", event);
      // Back off with jitter so a restarted server is not hit by every tablet at once.
      const wait = backoff * (0.5 + Math.random());
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      setTimeout(connect, wait);
    });
  }

  function isOpen() {
    return socket?.readyState === WebSocket.OPEN;
  }

  function send(type, payload = {}) {
    if (!isOpen()) return false;
    socket.send(JSON.stringify({ type, seq, payload }));
    return true;
  }

  function resync() {
    seq = null;
    held = [];
    send("snapshot.get");
  }

  function receive(message) {
    if (message.type === snapshotType) return applySnapshot(message);
    if (message.seq === null || message.seq === undefined) return personal(message);
    if (seq === null) held.push(message);
    else step(message);
  }

  function applySnapshot(message) {
    seq = message.seq ?? 0; // a stream that has not begun (no bulk job yet) is at 0
    stream = streamOf(message.payload);
    const waiting = held;
    held = [];
    onSnapshot(message.payload, seq);
    for (const event of waiting) if (!step(event)) return;
  }

  // Applies one numbered event if it is the next; false when it revealed a gap.
  function step(message) {
    const its = streamOf(message.payload);
    if (its !== stream) {
      if (message.seq !== 1) return gap();
      stream = its; // a new stream begins: its first event follows nothing
      seq = 0;
    }
    if (message.seq <= seq) return true; // already in the snapshot
    if (message.seq !== seq + 1) return gap();
    seq = message.seq;
    onEvent(message.type, message.payload, seq);
    return true;
  }

  function gap() {
    resync();
    return false;
  }

  function personal(message) {
    const { type, payload } = message;
    if (type === "pong" && seq !== null && typeof payload?.seq === "number" && payload.seq > seq) resync();
    onPersonal(type, payload);
  }

  connect();
  if (pingMs) setInterval(() => send("ping", {}), pingMs);
  return { send, resync, isOpen };
}

// The CSRF token, from the <meta name="csrf-token"> every page has through base.html (the
// cookie is HttpOnly, and not every page has a form).
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

// A same-origin POST carrying the CSRF token; body: FormData, URLSearchParams, a string or none.
// *timeoutMs*: give up waiting for the answer after that long (the promise then rejects with
// a "TimeoutError"), so a page never waits on a server that does not answer.
export function postForm(url, body = undefined, headers = {}, { timeoutMs } = {}) {
  return fetch(url, {
    method: "POST",
    body,
    headers: { ...headers, "X-CSRFToken": csrfToken() },
    credentials: "same-origin",
    signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
  });
}

export function postJSON(url, data) {
  return postForm(url, JSON.stringify(data), { "Content-Type": "application/json" });
}
