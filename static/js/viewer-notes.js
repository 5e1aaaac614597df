// Private notes in the KyHop reader: the list of my notes on this document, a note for the
// current page (or the whole document), highlights drawn by dragging on the page (finger or
// mouse) and shown over it. The server keeps them visible to me only (documents/note_views.py).
// Texts go through gettext/interpolate (Django's JavaScript catalogue, loaded by base.html).

import { postJSON } from "./socket.js";

const MIN_DRAG_PX = 6;

function button(label, onClick) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = "btn btn-outline-secondary btn-sm";
  node.textContent = label;
  node.addEventListener("click", onClick);
  return node;
}

export class Notes {
  constructor(reader, root) {
    this.reader = reader;
    this.root = root;
    this.url = root.dataset.notesUrl;
    this.version = Number(root.dataset.version);
    this.notes = [];
    this.form = root.querySelector('[data-role="note-form"]');
    this.list = root.querySelector('[data-role="notes-list"]');
    this.status = root.querySelector('[data-role="notes-status"]');
    this.drawButton = root.querySelector('[data-action="draw"]');
    this.form?.addEventListener("submit", (event) => {
      event.preventDefault();
      this.addFromForm();
    });
    this.drawButton?.addEventListener("click", () => this.setDrawing(!reader.drawing));
    root.addEventListener("viewer:rendered", () => this.drawMarks());
    this.bindDrawing();
    this.load();
  }

  async request(url, body) {
    const response = body === undefined ? await fetch(url, { credentials: "same-origin" }) : await postJSON(url, body);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const messages = Object.values(data.errors ?? {}).flat();
      throw new Error(messages.join(" ") || gettext("Không lưu được ghi chú. Hãy thử lại."));
    }
    return data;
  }

  noteUrl(id, suffix = "") {
    return `${this.url}${id}/${suffix}`;
  }

  async load() {
    try {
      const data = await this.request(`${this.url}?phien-ban=${this.version}`);
      this.notes = data.notes;
    } catch (error) {
      this.say(error.message);
    }
    this.renderList();
    this.drawMarks();
    this.root.dataset.notesLoaded = "1";
  }

  async save(action) {
    try {
      await action();
      this.say("");
      await this.load();
      return true;
    } catch (error) {
      this.say(error.message);
      return false;
    }
  }

  say(text) {
    if (this.status) this.status.textContent = text;
  }

  async addFromForm() {
    const text = this.form.querySelector('[data-role="note-text"]');
    const onPage = this.form.querySelector('[data-role="note-on-page"]')?.checked ?? true;
    const body = {
      version: this.version,
      kind: "text",
      text: text.value,
      page: onPage ? this.reader.pageNumber : null,
    };
    if (await this.save(() => this.request(this.url, body))) text.value = "";
  }

  addHighlight(page, rect) {
    const body = { version: this.version, kind: "highlight", page, rect, text: "" };
    return this.save(() => this.request(this.url, body));
  }

  // --- The list ------------------------------------------------------------------------------

  renderList() {
    if (!this.list) return;
    this.list.replaceChildren(...this.notes.map((note) => this.listItem(note)));
    if (!this.notes.length) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = gettext("Chưa có ghi chú nào. Ghi chú chỉ mình bạn xem được.");
      this.list.append(empty);
    }
  }

  where(note) {
    if (note.page === null) return gettext("Cả văn bản");
    if (note.page_gone) {
      return interpolate(gettext("Trang không còn (trang %(page)s ở phiên bản %(version)s)"), note, true);
    }
    return interpolate(gettext("Trang %s"), [note.page]);
  }

  listItem(note) {
    const item = document.createElement("li");
    item.className = "viewer-note";
    item.dataset.noteId = String(note.id);
    item.dataset.kind = note.kind;
    const head = document.createElement("div");
    head.className = "viewer-note-head";
    head.textContent = `${this.where(note)} · ${note.kind_label}`;
    const text = document.createElement("p");
    text.className = "viewer-note-text";
    text.textContent = note.text;
    const tools = document.createElement("div");
    tools.className = "viewer-note-tools";
    if (note.page !== null && !note.page_gone) {
      tools.append(button(gettext("Đến trang"), () => this.reader.show(note.page)));
    }
    tools.append(
      button(note.text ? gettext("Sửa") : gettext("Thêm lời"), () => this.edit(item, note)),
      this.deleteButton(note),
    );
    item.append(head, text, tools);
    return item;
  }

  // Deleting takes two taps: a stray tap on a tablet must not lose a note.
  deleteButton(note) {
    const node = button(gettext("Xoá"), () => {
      if (node.dataset.armed) {
        this.save(() => this.request(this.noteUrl(note.id, "xoa/"), {}));
      } else {
        node.dataset.armed = "1";
        node.classList.replace("btn-outline-secondary", "btn-danger");
        node.textContent = gettext("Bấm lần nữa để xoá");
      }
    });
    return node;
  }

  edit(item, note) {
    const editor = document.createElement("form");
    editor.className = "viewer-note-edit";
    const area = document.createElement("textarea");
    area.className = "form-control";
    area.value = note.text;
    area.rows = 3;
    area.setAttribute("aria-label", gettext("Nội dung ghi chú"));
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "btn btn-primary btn-sm";
    save.textContent = gettext("Lưu");
    editor.append(area, save, button(gettext("Huỷ"), () => this.renderList()));
    editor.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save(() => this.request(this.noteUrl(note.id), { text: area.value }));
    });
    item.querySelector(".viewer-note-tools").replaceWith(editor);
    area.focus({ preventScroll: true });
  }

  // --- Highlights on the page ----------------------------------------------------------------

  drawMarks() {
    this.reader.clearMarks("viewer-note-mark");
    if (!this.reader.root.dataset.renderedPage) return;
    for (const note of this.notes) {
      if (note.page !== this.reader.pageNumber || note.page_gone || !note.rect) continue;
      const box = this.reader.mark(note.rect, "viewer-note-mark");
      box.dataset.noteId = String(note.id);
      if (note.text) box.title = note.text;
    }
  }

  setDrawing(on) {
    this.reader.drawing = on;
    this.reader.stage.classList.toggle("is-drawing", on);
    this.drawButton?.setAttribute("aria-pressed", String(on));
    this.say(on ? gettext("Kéo trên trang để đánh dấu một vùng.") : "");
  }

  // In drawing mode a drag on the page (pointer events: mouse, pen and finger alike; the
  // stage has touch-action: none then, so the finger does not scroll) outlines a rectangle.
  bindDrawing() {
    const { sheet } = this.reader;
    let start = null;
    let box = null;
    const point = (event) => {
      const bounds = sheet.getBoundingClientRect();
      return {
        x: Math.min(Math.max(event.clientX - bounds.left, 0), bounds.width),
        y: Math.min(Math.max(event.clientY - bounds.top, 0), bounds.height),
      };
    };
    sheet.addEventListener("pointerdown", (event) => {
      if (!this.reader.drawing) return;
      event.preventDefault();
      sheet.setPointerCapture(event.pointerId);
      start = point(event);
      box = document.createElement("div");
      box.className = "viewer-note-draft";
      this.reader.overlay.append(box);
    });
    sheet.addEventListener("pointermove", (event) => {
      if (!start) return;
      const [x, y, width, height] = this.cssRect(start, point(event));
      Object.assign(box.style, { left: `${x}px`, top: `${y}px` });
      Object.assign(box.style, { width: `${width}px`, height: `${height}px` });
    });
    const finish = async (event, keep) => {
      if (!start) return;
      const rect = this.cssRect(start, point(event));
      start = null;
      box.remove();
      if (!keep || rect[2] < MIN_DRAG_PX || rect[3] < MIN_DRAG_PX) return;
      const scale = this.reader.scale;
      await this.addHighlight(
        this.reader.pageNumber,
        rect.map((value) => Math.round((value / scale) * 100) / 100),
      );
      this.setDrawing(false);
    };
    sheet.addEventListener("pointerup", (event) => finish(event, true));
    sheet.addEventListener("pointercancel", (event) => finish(event, false));
  }

  cssRect(a, b) {
    return [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(a.x - b.x), Math.abs(a.y - b.y)];
  }
}
