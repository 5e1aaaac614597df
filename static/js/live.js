// KyHop live meeting page: one WebSocket (socket.js), a snapshot then numbered events, rendered
// into the data-role slots of the template. ES module from 'self' (the CSP allows no inline script);
// every text from the server goes in through textContent, never as HTML. Our own texts go
// through gettext/interpolate from Django's JavaScript catalogue (a deferred script in the
// page's head, so it has run before this module), Vietnamese being the msgid.

import { ballotClose, ballotFailed, ballotOpen, ballotPollId, ballotSetup } from "./ballot.js";
import { confirmStep, confirmedFields } from "./console.js";
import { fullscreenSetup } from "./fullscreen.js";
import { openSocket, postForm } from "./socket.js";
import { mountViewer } from "./viewer.js";

const root = document.getElementById("live");
const canRun = root?.dataset.canRun === "1";
const isStaff = root?.dataset.staff === "1";
const PING_MS = 20000;

let live = null; // the socket (socket.js)
let seq = null; // the number of the last event applied, as shown on the page
let state = null;
let following = true;
let viewer = null; // {documentId, reader}
let refCounter = 0;
let ballotRef = null; // the ref of the ballot in flight over the socket
const ballotDialog = document.getElementById("ballot-dialog"); // only on a participant's page
const later = new Set(); // polls the voter put off with "Để sau"

const $ = (role) => root.querySelector(`[data-role="${role}"]`);

// One broadcast serves every screen, so events carry codes beside Vietnamese labels; the
// snapshot brings this screen's table of labels in its own language (live_selectors).
const label = (group, code, fallback) => state?.labels?.[group]?.[code] ?? fallback;
const optionLabel = (o) => label("option", o.key, o.label);

// The result's sentence is the legal wording kept for the minutes (Vietnamese); a screen in
// another language states the verdict and the numbers it rests on instead.
function verdictText(r) {
  if ((document.documentElement.lang || "vi").startsWith("vi")) return r.explanation;
  const verdict = r.passed ? gettext("Thông qua") : gettext("Không thông qua");
  const base = label("base", r.base, r.base);
  return interpolate(gettext("%(verdict)s (cần %(required)s; cơ sở tính: %(base)s = %(base_count)s)."), { verdict, required: r.required, base, base_count: r.base_count }, true);
}

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key === "type" || key === "name" || key === "value")
      node.setAttribute(key, value === true ? "" : value);
    else node[key] = value;
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// --- Connection ----------------------------------------------------------------------------

function connect() {
  live = openSocket({
    path: root.dataset.wsPath,
    onSnapshot: applySnapshot,
    onEvent: apply,
    onPersonal: personal,
    onState: connectionChanged,
    pingMs: PING_MS,
  });
}

function connectionChanged(code) {
  if (code === "open") {
    $("offline").hidden = true;
    return setConnection("open", gettext("đã kết nối"));
  }
  setConnection("lost", gettext("mất kết nối"));
  if (code === "forbidden") showMessage(gettext("Bạn không có quyền tham gia phiên họp này."));
  else $("offline").hidden = false;
}

function send(type, payload = {}) {
  return live?.send(type, payload) ?? false;
}

function applySnapshot(payload, number) {
  state = payload;
  state.notVoted = Object.fromEntries((state.not_voted || []).map((row) => [row.poll_id, row]));
  state.named = Object.fromEntries((state.named || []).map((row) => [row.poll_id, row.voters]));
  seq = number;
  renderAll();
}

function apply(type, payload, number) {
  const handler = EVENTS[type];
  seq = number;
  root.dataset.seq = String(seq);
  setText("seq", String(seq));
  if (handler) handler(payload);
}

function upsertPoll(poll) {
  state.polls = state.polls.filter((p) => p.id !== poll.id).concat([poll]);
  if (state.drafts) state.drafts = state.drafts.filter((p) => p.id !== poll.id);
}

const EVENTS = {
  "meeting.status": (p) => {
    Object.assign(state.meeting, p);
    renderStatus();
  },
  "item.current": (p) => {
    state.item = { item_id: p.item_id, timer: p.timer };
    state.speakers = p.speakers;
    renderCurrent();
    renderAgenda();
    renderSpeakers();
  },
  "item.timer": (p) => {
    state.item = p;
    renderCurrent();
  },
  "item.conclusion": (p) => {
    const row = state.agenda.find((item) => item.id === p.item_id);
    if (row) row.conclusion = p.text;
    renderAgenda();
  },
  message: (p) => {
    state.message = p;
    renderMessage();
  },
  checkin: (p) => {
    state.checkin_open = p.open;
    renderAttendance();
  },
  attendance: (p) => {
    state.attendance = p;
    renderAttendance();
  },
  speakers: (p) => {
    state.speakers = p;
    renderSpeakers();
  },
  "poll.opened": (p) => {
    upsertPoll(p.poll);
    showNotice(interpolate(gettext("Biểu quyết đã mở: %s"), [p.poll.title]));
    renderTakeover(true);
    renderPolls();
  },
  "poll.closed": (p) => {
    upsertPoll(p.poll);
    if (p.poll.result) showNotice(interpolate(gettext("Kết quả biểu quyết “%(title)s”: %(verdict)s"), { title: p.poll.title, verdict: verdictText(p.poll.result) }, true));
    renderPolls();
  },
  "poll.progress": (p) => {
    const poll = state.polls.find((item) => item.id === p.poll_id);
    if (poll) poll.progress = { cast: p.cast, eligible: p.eligible, live_tally: p.live_tally };
    renderPolls();
  },
  presenter: (p) => {
    state.presenter = p.presenter;
    renderPresenter();
  },
};

// Unnumbered messages: answers to this socket, and the staff's lists.
function personal(type, payload) {
  if (!state && type !== "error") return;
  if (type === "ballot.ack") ballotAcked(payload);
  else if (type === "error") {
    showNotice(payload.message, true);
    if (payload.ref && payload.ref === ballotRef) ballotFailed(ballotDialog, payload.message);
  }
  else if (type === "roll") {
    state.roll = payload.roll;
    renderAttendance();
  } else if (type === "poll.named") {
    state.named[payload.poll_id] = payload.voters;
    renderPolls();
  } else if (type === "poll.voters") {
    state.notVoted[payload.poll_id] = payload;
    renderPolls();
  } else if (type === "poll.draft") {
    state.drafts = (state.drafts || []).concat([payload.poll]);
    renderPolls();
  }
}

// --- Rendering -----------------------------------------------------------------------------

function setText(role, text) {
  const node = $(role);
  if (node) node.textContent = text;
}

function showMessage(text) {
  const node = $("message");
  node.textContent = text;
  node.hidden = !text;
}

// The answer to the last action (a refusal in red) and announcements such as a ballot opening
// or a result, in the notice area at the head of the console: a live region, always in sight.
// A refusal stays until the next answer or "Ẩn thông báo"; good news clears itself.
let noticeTimer = null;
const NOTICE_MS = 12000;

function showNotice(text, bad = false) {
  const node = root.querySelector(".live-notice");
  if (!node) return;
  clearTimeout(noticeTimer);
  node.textContent = text;
  node.hidden = !text;
  node.classList.toggle("bad", bad);
  const clear = $("notice-clear");
  if (clear) clear.hidden = !text;
  if (text && !bad) noticeTimer = setTimeout(() => showNotice(""), NOTICE_MS);
}

function setConnection(code, text) {
  const badge = $("conn-badge");
  if (badge) badge.dataset.state = code;
  setText("conn", text);
}

function renderAll() {
  renderStatus();
  renderMessage();
  renderCurrent();
  renderAgenda();
  renderAttendance();
  renderSpeakers();
  renderPolls();
  renderPresenter();
  root.dataset.seq = String(seq);
  setText("seq", String(seq));
}

function renderStatus() {
  setText("status", label("status", state.meeting.status, state.meeting.status_label));
  root.dataset.status = state.meeting.status; // live.css shows the commands that apply
}

function renderMessage() {
  showMessage(state.message.text || "");
}

function currentItem() {
  return state.agenda.find((item) => item.id === state.item.item_id);
}

function clock(seconds) {
  const sign = seconds < 0 ? "-" : "";
  const s = Math.abs(Math.round(seconds));
  return `${sign}${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function elapsed(timer) {
  const running = timer.running ? (Date.now() - Date.parse(timer.started_at)) / 1000 : 0;
  return timer.elapsed + Math.max(running, 0);
}

function renderCurrent() {
  const item = currentItem();
  setText("current", item ? `${item.number}. ${item.title}` : gettext("Chưa có nội dung đang thảo luận."));
  renderTimer();
}

function renderTimer() {
  const node = $("timer");
  if (!node || !state) return;
  const timer = state.item.timer;
  if (!state.item.item_id || !timer.limit) {
    node.textContent = "";
    return;
  }
  const left = timer.limit - elapsed(timer);
  const format = timer.running ? gettext("Thời gian còn lại: %s") : gettext("Thời gian còn lại: %s (tạm dừng)");
  node.textContent = interpolate(format, [clock(left)]);
  node.classList.toggle("over", left < 0);
}

// One line per item; "Chuyển đến" beside the title, the conclusion field under the current item
// only (where the chair records it), so the whole agenda fits a panel.
function renderAgenda() {
  const list = $("agenda");
  if (!list) return;
  list.replaceChildren(
    ...state.agenda.map((item) => {
      const current = item.id === state.item.item_id;
      const head = h("div", { className: "agenda-line" }, h("div", { className: "agenda-title", text: `${item.number}. ${item.title}` }));
      const row = h("li", { className: `agenda-item depth-${item.depth}${current ? " current" : ""}` }, head);
      if (canRun && !current) head.append(h("button", { type: "button", className: "btn btn-sm btn-outline-secondary", "data-cmd": "item", "data-item_id": item.id, text: gettext("Chuyển đến") }));
      if (item.conclusion) row.append(h("p", { className: "conclusion", text: interpolate(gettext("Kết luận: %s"), [item.conclusion]) }));
      if (canRun && current) {
        row.append(
          h(
            "form",
            { className: "tool-row", "data-form": "conclusion" },
            h("input", { type: "hidden", name: "item_id", value: item.id }),
            h("input", { type: "text", className: "form-control", name: "text", value: item.conclusion || "", placeholder: gettext("Kết luận"), ariaLabel: interpolate(gettext("Kết luận mục %s"), [item.number]) }),
            h("button", { type: "submit", className: "btn btn-outline-primary", text: gettext("Ghi kết luận") }),
          ),
        );
      }
      return row;
    }),
  );
}

function renderAttendance() {
  const a = state.attendance;
  const quorum = a.met
    ? gettext("Có mặt %(present)s/%(total)s thành viên (cần %(required)s): đủ số thành viên để biểu quyết.")
    : gettext("Có mặt %(present)s/%(total)s thành viên (cần %(required)s): chưa đủ số thành viên để biểu quyết.");
  setText("quorum", interpolate(quorum, { present: a.present, total: a.total_members, required: a.required }, true));
  const me = state.roll?.find((row) => row.id === state.me.participant_id);
  if ($("my-attendance")) {
    const checked = me ? me.checked_in_at : state.me.checked_in;
    setText("my-attendance", checked ? gettext("Bạn đã điểm danh.") : gettext("Bạn chưa điểm danh."));
  }
  setText("checkin-state", state.checkin_open ? gettext("Đang mở điểm danh.") : gettext("Điểm danh đang đóng."));
  const roll = $("roll");
  if (!roll || !state.roll) return;
  roll.replaceChildren(
    ...state.roll.map((row) =>
      h(
        "tr",
        { "data-participant": row.id },
        h(
          "td",
          {},
          h("div", { className: "roll-row" }, h("div", { className: "roll-who" },
            h("div", { className: "roll-name", text: `${row.name} (${label("role", row.role_code, row.role)})` }),
            h("div", { className: "small text-body-secondary", text: row.checked_in_at ? `${new Date(row.checked_in_at).toLocaleTimeString("vi-VN")} · ${label("mode", row.mode_code, row.mode)}${row.corrected ? ` · ${gettext("đã sửa")}` : ""}` : gettext("Chưa điểm danh") }),
          ),
          h(
            "div",
            { className: "roll-actions" },
            h("button", { type: "button", "data-cmd": "check-in", "data-participant_id": row.id, "data-mode": "in_person", text: gettext("Có mặt") }),
            h("button", { type: "button", "data-cmd": "check-in", "data-participant_id": row.id, "data-mode": "remote", text: gettext("Trực tuyến") }),
            row.checked_in_at ? h("button", { type: "button", "data-cmd": "check-in-clear", "data-participant_id": row.id, text: gettext("Xóa") }) : null,
          )),
        ),
      ),
    ),
  );
}

function renderSpeakers() {
  const list = $("speakers");
  if (!list) return;
  const s = state.speakers;
  setText("speaking-limit", interpolate(gettext("Mỗi lượt phát biểu tối đa %s."), [clock(s.limit)]));
  list.replaceChildren(
    ...s.queue.map((row) => {
      const speaking = row.status === "speaking";
      const line = h("li", { className: speaking ? "speaking" : "", "data-request": row.id }, h("span", { text: `${row.name} — ${label("speaker", row.kind, row.kind_label)}${speaking ? ` · ${gettext("đang phát biểu")}` : ""}` }));
      if (speaking) line.append(h("span", { className: "speak-timer", "data-started": row.started_at }));
      if (canRun && !speaking) line.append(h("button", { type: "button", "data-cmd": "speaker-grant", "data-request_id": row.id, text: gettext("Mời phát biểu") }));
      if (canRun && speaking) line.append(h("button", { type: "button", "data-cmd": "speaker-end", "data-request_id": row.id, text: gettext("Kết thúc") }));
      if (row.participant_id === state.me.participant_id && !speaking)
        line.append(h("button", { type: "button", "data-withdraw": row.id, text: gettext("Rút đăng ký") }));
      return line;
    }),
  );
  tickSpeakers();
}

function tickSpeakers() {
  for (const node of root.querySelectorAll(".speak-timer")) {
    const left = state.speakers.limit - (Date.now() - Date.parse(node.dataset.started)) / 1000;
    node.textContent = ` ${interpolate(gettext("còn %s"), [clock(left)])}`;
    node.classList.toggle("over", left < 0);
  }
}

function pollView(poll) {
  const box = h("article", { className: `poll poll-${poll.status}`, "data-poll": poll.id });
  const subject = poll.subject_name ? ` — ${poll.subject_name}` : "";
  box.append(h("h3", { text: `${poll.title}${subject}` }));
  box.append(h("p", { className: "muted small", text: `${label("poll", poll.kind, poll.kind_label)} · ${poll.secret ? gettext("bỏ phiếu kín") : gettext("biểu quyết công khai")}` }));
  if (poll.status === "draft") {
    if (canRun) {
      box.append(
        h(
          "form",
          { className: "tool-row", "data-form": "poll-open" },
          h("input", { type: "hidden", name: "poll_id", value: poll.id }),
          h("input", { type: "text", name: "reason", placeholder: gettext("Lý do biểu quyết khi chưa đủ số thành viên (nếu có)"), ariaLabel: gettext("Lý do") }),
          h("button", { type: "submit", text: gettext("Mở biểu quyết") }),
        ),
      );
    }
    return box;
  }
  const progress = poll.progress;
  box.append(h("p", { className: "poll-progress", text: interpolate(gettext("Đã bỏ phiếu: %(cast)s/%(eligible)s"), progress, true) }));
  if (poll.status === "open") {
    if (progress.live_tally) box.append(tallyList(poll, progress.live_tally));
    const voted = state.me.voted_poll_ids.includes(poll.id);
    if (state.me.can_vote && !voted && ballotDialog) box.append(h("button", { type: "button", className: "primary", "data-ballot-show": poll.id, text: gettext("Bỏ phiếu") }));
    if (voted) box.append(h("p", { className: "ok", text: gettext("Bạn đã bỏ phiếu.") }));
    const missing = state.notVoted?.[poll.id]?.not_voted;
    if (isStaff && missing) box.append(h("p", { className: "small not-voted", text: interpolate(gettext("Chưa bỏ phiếu (%(count)s): %(names)s"), { count: missing.length, names: missing.join(", ") }, true) }));
    if (canRun) box.append(h("button", { type: "button", "data-cmd": "poll-close", "data-poll_id": poll.id, text: gettext("Kết thúc biểu quyết") }));
  } else if (poll.result) {
    box.append(resultView(poll));
  }
  return box;
}

function tallyList(poll, counts) {
  return h("ul", { className: "tally" }, ...poll.options.map((o) => h("li", { text: `${optionLabel(o)}: ${counts[o.key] ?? 0}` })));
}

// --- The ballot takeover (ballot.js draws it) -------------------------------------------------

function ballotView(poll) {
  const subject = poll.subject_name ? ` — ${poll.subject_name}` : "";
  const kind = label("poll", poll.kind, poll.kind_label);
  const secrecy = poll.secret ? gettext("bỏ phiếu kín") : gettext("biểu quyết công khai");
  return {
    id: poll.id,
    title: `${poll.title}${subject}`,
    subtitle: `${kind} · ${secrecy}`,
    multiple: poll.kind === "several_of_n",
    maxChoices: poll.max_choices,
    options: poll.options.map((o) => ({ id: o.id, key: o.key, label: optionLabel(o) })),
  };
}

function pendingBallot() {
  if (!ballotDialog || !state.me.can_vote) return null;
  const waiting = (p) => p.status === "open" && !state.me.voted_poll_ids.includes(p.id) && !later.has(p.id);
  return state.polls.find(waiting) || null;
}

// The dialog follows the state: open on the first poll this voter still owes a ballot, closed
// once it is cast, put off, or the poll closed. *alert*: a poll has just opened (buzz).
function renderTakeover(alert = false) {
  if (!ballotDialog) return;
  const poll = pendingBallot();
  if (!poll) return ballotClose(ballotDialog);
  if (ballotPollId(ballotDialog) !== poll.id) ballotOpen(ballotDialog, ballotView(poll), { alert });
}

function castBallot({ poll_id, option_ids }) {
  if (live?.isOpen()) {
    ballotRef = `b${++refCounter}`;
    return send("ballot.cast", { poll_id, option_ids, ref: ballotRef });
  }
  // The socket is reconnecting: the same service over HTTP.
  const body = new FormData();
  body.append("poll_id", poll_id);
  for (const id of option_ids) body.append("option_id", id);
  command("ballot", body).then((answer) => {
    if (answer.ok) ballotAcked({ poll_id, message: answer.message });
    else ballotFailed(ballotDialog, answer.error || gettext("Không gửi được yêu cầu. Hãy thử lại."));
  });
}

function ballotAcked(payload) {
  if (!state.me.voted_poll_ids.includes(payload.poll_id)) state.me.voted_poll_ids.push(payload.poll_id);
  ballotRef = null;
  showNotice(payload.message);
  renderPolls();
}

function resultView(poll) {
  const r = poll.result;
  return h(
    "div",
    { className: `result ${r.passed ? "passed" : "failed"}` },
    h("p", { className: "verdict", text: verdictText(r) }),
    h("ul", {}, ...r.options.map((o) => h("li", { text: `${optionLabel(o)}: ${o.count} (${o.percent})` }))),
    h("p", { className: "small muted", text: interpolate(gettext("Có mặt %(present)s, đã bỏ phiếu %(cast)s, tổng số thành viên %(total_members)s."), r, true) }),
    namedView(poll),
  );
}

// Who voted what, on a named poll only, on the staff's screens (the chair's console, the room
// screen): the server sends the names to them alone, and none at all for a secret poll.
function namedView(poll) {
  const voters = state.named?.[poll.id];
  if (poll.secret || !voters) return null;
  const rows = poll.options.map((o) => {
    const names = voters[o.key] || [];
    return h("div", { className: "named-row", "data-option": o.key }, h("dt", { text: `${optionLabel(o)} (${names.length})` }), h("dd", { text: names.length ? names.join(", ") : "—" }));
  });
  return h("details", { className: "named-result", open: true }, h("summary", { text: gettext("Kết quả theo tên người biểu quyết") }), h("dl", {}, ...rows));
}

function renderPolls() {
  const box = $("polls");
  if (!box) return;
  const open = state.polls.filter((p) => p.status === "open");
  const closed = state.polls.filter((p) => p.status !== "open").reverse();
  const polls = [...open, ...(canRun ? state.drafts || [] : []), ...closed];
  box.replaceChildren(...(polls.length ? polls.map(pollView) : [h("p", { className: "muted", text: gettext("Chưa có biểu quyết.") })]));
  renderTakeover();
}

async function renderPresenter() {
  const stage = $("presenter-stage");
  if (!stage) return;
  const p = state.presenter;
  const follow = $("follow");
  if (!p) {
    setText("presenter-state", gettext("Chưa trình chiếu văn bản nào."));
    follow.hidden = true;
    stage.replaceChildren();
    viewer = null;
    return;
  }
  setText("presenter-state", interpolate(gettext("%(by)s đang trình chiếu: %(title)s, trang %(page)s."), p, true));
  follow.hidden = following;
  if (!following) return;
  if (viewer?.documentId !== p.document_id) {
    const node = $("viewer-template").content.firstElementChild.cloneNode(true);
    node.dataset.pdfUrl = p.pdf_url;
    node.dataset.startPage = String(p.page);
    node.dataset.document = String(p.document_id);
    stage.replaceChildren(node);
    node.addEventListener("viewer:page", onViewerPage);
    viewer = { documentId: p.document_id, reader: null, node };
    viewer.reader = await mountViewer(node);
  } else if (viewer.reader && viewer.reader.pageNumber !== p.page) {
    viewer.reader.show(p.page, "program");
  }
}

function onViewerPage(event) {
  const { page, source } = event.detail;
  const p = state.presenter;
  if (source !== "user" || !p) return;
  if (p.by_id === Number(root.dataset.userId)) {
    send("presenter.page", { page }); // the presenter turns the page for everyone
  } else if (page !== p.page) {
    following = false; // the reader went browsing; one tap brings them back
    $("follow").hidden = false;
  }
}

// --- Actions -------------------------------------------------------------------------------

async function command(action, data) {
  const body = data instanceof FormData ? data : new FormData();
  if (!(data instanceof FormData)) for (const [k, v] of Object.entries(data || {})) body.append(k, v);
  const url = root.dataset.commandUrl.replace("ACTION", action);
  try {
    const response = await postForm(url, body);
    const answer = await response.json();
    if (!answer.ok) showNotice(answer.error, true);
    return answer;
  } catch (error) {
    showNotice(gettext("Không gửi được yêu cầu. Hãy thử lại."), true);
    return { ok: false };
  }
}

function fields(node) {
  const data = {};
  for (const [key, value] of Object.entries(node.dataset)) if (key !== "cmd") data[key] = value;
  return data;
}

root?.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.dataset.cmd === "presenter-show") return command("presenter-show", {});
  // The move every screen waits for goes over the open socket (no request, session or access
  // lookup); HTTP stays the fallback while the socket reconnects.
  if (button.dataset.cmd === "item" && live?.isOpen()) {
    return send("item.set", { item_id: Number(button.dataset.item_id) });
  }
  if (button.dataset.cmd && button.dataset.confirm) {
    return confirmStep(button.dataset.confirm).then((yes) => yes && command(button.dataset.cmd, confirmedFields(fields(button))));
  }
  if (button.dataset.cmd) return command(button.dataset.cmd, fields(button));
  if (button.dataset.speak) return send("speaker.request", { kind: button.dataset.speak, ref: `s${++refCounter}` });
  if (button.dataset.withdraw) return send("speaker.withdraw", { request_id: Number(button.dataset.withdraw) });
  if (button.dataset.role === "follow") {
    following = true;
    viewer = null;
    return renderPresenter();
  }
  if (button.dataset.role === "present") {
    const doc = $("present-doc").value;
    if (doc) command("presenter-show", { document_id: doc, page: 1 });
  }
  if (button.dataset.role === "join-remote") joinRemote();
  if (button.dataset.role === "notice-clear") showNotice("");
  if (button.dataset.ballotShow) {
    later.delete(Number(button.dataset.ballotShow));
    renderTakeover();
  }
});

root?.addEventListener("submit", (event) => {
  const form = event.target;
  event.preventDefault();
  const kind = form.dataset.form;
  const data = new FormData(form);
  if (kind === "poll-create") {
    data.append("item_id", state.item.item_id ?? "");
    command("poll-create", data).then((answer) => answer.ok && form.reset());
  } else {
    command(kind, data);
  }
});

async function joinRemote() {
  const response = await postForm(root.dataset.remoteUrl);
  const answer = await response.json();
  if (!answer.ok) return showNotice(answer.error, true);
  state.me.checked_in = true; // the roll is for the staff: this page learns it from the answer
  renderAttendance();
  showNotice(gettext("Đã điểm danh trực tuyến."));
  if (answer.video_url) window.open(answer.video_url, "_blank", "noopener");
}

if (root) {
  fullscreenSetup($("fullscreen"), $("fullscreen-label"));
  ballotSetup(ballotDialog);
  ballotDialog?.addEventListener("ballot:cast", (event) => castBallot(event.detail));
  ballotDialog?.addEventListener("ballot:later", (event) => {
    later.add(event.detail.poll_id);
    renderPolls();
  });
  connect();
  setInterval(() => {
    if (!state) return;
    renderTimer();
    tickSpeakers();
  }, 1000);
}
