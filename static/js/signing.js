// Signing pages (ES module from 'self'; the CSP forbids inline script).
//
// Inbox: "Ký hàng loạt" — the selected documents and one passphrase go in one POST; the
// signatures are made in the background and their progress arrives on the signer's socket
// (/ws/ky-so/tien-do/, through socket.js): a bulk.snapshot, then each job's numbered events,
// numbered from 1 per job. A gap in seq, or a reconnect, brings a snapshot, so the bar and the
// results never drift from the server's state.
//
// Trình ký form: the clerk clicks or drags on the page shown by the reader to choose where the
// signature goes; page/x/y/width/height are filled in PDF points (origin bottom-left).
//
// Texts go through gettext/interpolate (Django's JavaScript catalogue, loaded by base.html).

import { openSocket, postForm } from "./socket.js";

// --- Inbox: bulk signing --------------------------------------------------------------------

function role(root, name) {
  return root.querySelector(`[data-role="${name}"]`);
}

// How long the start of a batch may take before the page says the server is not answering.
const START_TIMEOUT_MS = 10000;

class BulkSigning {
  constructor(form, panel) {
    this.form = form;
    this.panel = panel;
    this.bar = role(panel, "bulk-bar");
    this.percent = role(panel, "bulk-percent");
    this.status = role(panel, "bulk-status");
    this.list = role(panel, "bulk-results");
    this.job = null;
    this.bindSelection();
    form.addEventListener("submit", (event) => this.submit(event));
    this.socket = openSocket({
      path: form.dataset.socket,
      snapshotType: "bulk.snapshot",
      streamOf: (payload) => payload.job ?? null,
      onSnapshot: (snap) => this.applySnapshot(snap),
      onEvent: (type, payload) => this.receive(type, payload),
    });
  }

  boxes() {
    return [...this.form.querySelectorAll('input[name="assignees"]')];
  }

  bindSelection() {
    const all = role(this.form, "select-all");
    const count = role(this.form, "selected-count");
    const update = () => {
      count.textContent = String(this.boxes().filter((box) => box.checked).length);
    };
    all.addEventListener("change", () => {
      this.boxes().forEach((box) => (box.checked = all.checked));
      update();
    });
    this.form.addEventListener("change", update);
    update();
  }

  async submit(event) {
    event.preventDefault();
    const button = role(this.form, "bulk-submit");
    button.disabled = true;
    // Never silent: the signer sees at once that the batch is being started.
    this.show(gettext("Đang bắt đầu lượt ký…"), "starting");
    const data = new FormData(this.form);
    // The passphrase is not kept in the page once it has been sent, whatever the answer.
    this.form.elements.passphrase.value = "";
    const timeoutMs = Number(this.form.dataset.startTimeout || START_TIMEOUT_MS);
    try {
      const response = await postForm(this.form.action, data, { Accept: "application/json" }, { timeoutMs });
      const answer = await response.json();
      if (!response.ok) {
        this.show(answer.error || gettext("Không bắt đầu được lượt ký."), "failed");
        return;
      }
      // The job's first events may have come before this answer, and already show it.
      if (this.job !== answer.job) {
        this.job = answer.job;
        this.start(answer.total);
      }
    } catch (error) {
      console.error(error);
      const text = error?.name === "TimeoutError"
        ? gettext("Máy chủ chưa trả lời: lượt ký có thể chưa bắt đầu. Nếu tiến độ không hiện ra, hãy tải lại trang rồi thử lại.")
        : gettext("Mất kết nối với máy chủ: lượt ký chưa bắt đầu. Hãy thử lại.");
      // Events of a job the server did start still arrive and take over this message.
      if (!this.job || this.panel.dataset.state !== "running") this.show(text, "failed");
    } finally {
      button.disabled = false;
    }
  }

  show(text, state) {
    this.panel.hidden = false;
    if (state) this.panel.dataset.state = state;
    this.status.textContent = text;
  }

  start(total) {
    this.panel.hidden = false;
    this.panel.dataset.state = "running";
    this.setBar(0, total);
    this.status.textContent = interpolate(ngettext("Đang ký %s văn bản…", "Đang ký %s văn bản…", total), [total]);
  }

  setBar(done, total) {
    const percent = total ? Math.round((done * 100) / total) : 0;
    this.bar.value = percent;
    this.percent.textContent = `${percent}%`;
  }

  // A numbered event, in order (socket.js asked for a snapshot on a gap).
  receive(type, payload) {
    if (!type.startsWith("bulk.")) return;
    if (payload.job !== this.job) {
      if (type !== "bulk.started") return;
      this.job = payload.job; // a batch started from another tab of the same signer
    }
    const handlers = {
      "bulk.started": () => this.applySnapshot(payload),
      "bulk.progress": () => {
        this.setBar(payload.done, payload.total);
        this.item(payload.item);
      },
      "bulk.finished": () => this.finish(payload.message, "finished"),
      "bulk.failed": () => this.finish(payload.message, "failed"),
    };
    (handlers[type] || (() => {}))();
  }

  applySnapshot(snap) {
    if (!snap.job || (this.job && snap.job !== this.job)) return;
    this.job = snap.job;
    this.start(snap.total);
    this.list.replaceChildren();
    snap.items.filter((item) => item.state !== "waiting").forEach((item) => this.item(item));
    this.setBar(snap.done, snap.total);
    if (snap.state !== "running") this.finish(snap.message, snap.state);
  }

  item(item) {
    let row = this.list.querySelector(`[data-assignee="${item.assignee}"]`);
    if (!row) {
      row = document.createElement("li");
      row.dataset.assignee = String(item.assignee);
      this.list.append(row);
    }
    row.className = `bulk-${item.state}`;
    const mark = item.state === "ok" ? "✓" : "✗";
    const version = item.version ? ` ${interpolate(gettext("(phiên bản %s)"), [item.version])}` : "";
    row.textContent = `${mark} ${item.title}: ${item.message}${version}`;
    if (item.state === "ok") {
      const box = this.form.querySelector(`input[name="assignees"][value="${item.assignee}"]`);
      if (box) box.closest("tr").classList.add("bulk-signed-row");
      if (box) box.disabled = true;
    }
  }

  finish(message, state) {
    this.panel.dataset.state = state;
    this.status.textContent = message;
  }
}

const bulkForm = document.getElementById("bulk-sign");
if (bulkForm) new BulkSigning(bulkForm, document.querySelector('[data-role="bulk-progress"]'));

// --- Trình ký form: pick the signature rectangle, or the number and date fields, on the page --

// Points: a plain click places a box of the usual size for what is being placed.
const CLICK_BOX = { signature: [180, 80], number_box: [150, 22], date_box: [230, 22] };
const MARK_CLASS = {
  signature: "signing-rect-box",
  number_box: "signing-number-box",
  date_box: "signing-date-box",
};
const MIN_DRAG_PX = 6;

class RectanglePicker {
  constructor(form, reader, targets) {
    this.form = form;
    this.reader = reader;
    this.targets = targets; // the radio group saying what a click or drag places
    this.overlay = reader.overlay;
    this.overlay.classList.add("signing-pick");
    this.overlay.style.pointerEvents = "auto"; // the reader's overlay ignores the pointer
    this.overlay.addEventListener("pointerdown", (event) => this.down(event));
    this.overlay.addEventListener("pointermove", (event) => this.move(event));
    this.overlay.addEventListener("pointerup", (event) => this.up(event));
    reader.root.addEventListener("viewer:rendered", () => this.redraw());
    this.start = null;
    this.chosen = {}; // target → { page, rect } as shown (points, origin top-left)
  }

  target() {
    const checked = this.targets && this.targets.querySelector("input:checked");
    return checked ? checked.value : "signature";
  }

  at(event) {
    const box = this.overlay.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  down(event) {
    this.overlay.setPointerCapture(event.pointerId);
    this.start = this.at(event);
  }

  move(event) {
    if (!this.start) return;
    const [x, y] = this.at(event);
    const scale = this.reader.scale;
    this.draw(this.target(), [
      Math.min(x, this.start[0]) / scale,
      Math.min(y, this.start[1]) / scale,
      Math.abs(x - this.start[0]) / scale,
      Math.abs(y - this.start[1]) / scale,
    ]);
  }

  async up(event) {
    if (!this.start) return;
    const [x, y] = this.at(event);
    const [sx, sy] = this.start;
    this.start = null;
    const scale = this.reader.scale;
    const target = this.target();
    let rect; // points, origin top-left of the page as shown
    if (Math.abs(x - sx) < MIN_DRAG_PX && Math.abs(y - sy) < MIN_DRAG_PX) {
      const [w, h] = CLICK_BOX[target];
      rect = [x / scale - w / 2, y / scale - h / 2, w, h];
    } else {
      rect = [Math.min(x, sx) / scale, Math.min(y, sy) / scale];
      rect.push(Math.abs(x - sx) / scale, Math.abs(y - sy) / scale);
    }
    await this.fill(target, rect);
  }

  async fill(target, [left, top, width, height]) {
    const number = this.reader.pageNumber;
    const page = await this.reader.pdf.getPage(number);
    const [x0, y0, x1, y1] = page.view; // the page's box in PDF points
    const round = (v) => Math.round(v * 10) / 10;
    left = Math.max(0, Math.min(left, x1 - x0 - width));
    top = Math.max(0, Math.min(top, y1 - y0 - height));
    const values = {
      page: number,
      x: round(x0 + left),
      y: round(y1 - top - height), // PDF's y grows upwards from the bottom of the page
      width: round(width),
      height: round(height),
    };
    if (target === "signature") {
      for (const [name, value] of Object.entries(values)) this.form.elements[name].value = value;
    } else {
      const { page: p, x, y, width: w, height: h } = values;
      this.form.elements[target].value = [p, x, y, w, h].join(",");
    }
    this.chosen[target] = { page: number, rect: [left, top, width, height] };
    this.redraw();
    this.form.dispatchEvent(new Event("change"));
  }

  draw(target, rect) {
    this.reader.clearMarks(MARK_CLASS[target]);
    this.reader.mark(rect, MARK_CLASS[target]);
  }

  redraw() {
    for (const [target, className] of Object.entries(MARK_CLASS)) {
      this.reader.clearMarks(className);
      const chosen = this.chosen[target];
      if (chosen && chosen.page === this.reader.pageNumber) this.draw(target, chosen.rect);
    }
  }
}

function showRectangle(form) {
  const names = ["x", "y", "width", "height"];
  const out = form.querySelector(".signing-rect-value");
  const row = form.querySelector(".signing-rect");
  const values = names.map((name) => form.elements[name] && form.elements[name].value);
  if (values.every((value) => value)) {
    const page = form.elements.page.value;
    const box = values.map((v) => Math.round(Number(v))).join(", ");
    out.textContent = interpolate(gettext("trang %(page)s: %(box)s"), { page, box }, true);
    row.hidden = false;
  }
  for (const row of form.querySelectorAll(".signing-box[data-box]")) {
    const field = form.elements[row.dataset.box];
    if (!field || !field.value) continue;
    const [page, ...rest] = field.value.split(",");
    const box = rest.map((v) => Math.round(Number(v))).join(", ");
    row.querySelector("output").textContent = interpolate(gettext("trang %(page)s: %(box)s"), { page, box }, true);
    row.hidden = false;
  }
}

const requestForm = document.querySelector("form.signing-request");
if (requestForm) {
  requestForm.addEventListener("change", () => showRectangle(requestForm));
  showRectangle(requestForm);
  const root = document.getElementById("pdf-viewer");
  if (root) {
    // Loaded only here: the inbox has no reader and need not fetch its modules.
    import("./viewer.js")
      .then(({ mountViewer }) => mountViewer(root))
      .then((reader) => {
        if (reader) new RectanglePicker(requestForm, reader, document.querySelector("[data-role=pick-target]"));
      });
  }
}
