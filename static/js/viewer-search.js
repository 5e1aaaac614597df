// Find in document for the KyHop reader: reads the text of each page (pdf.js getTextContent)
// only when asked, matches without diacritics ("quyet dinh" finds "Quyết định", like the
// server's search), lists the hits with their page, and boxes the chosen hit on the page.
// Texts go through gettext/interpolate (Django's JavaScript catalogue, loaded by base.html).

const MAX_HITS = 200;
const CONTEXT_CHARS = 30;
const MARKS = /[\u0300-\u036f]/g;

// One character folded the way documents/search.py folds text: lower case, no diacritics,
// đ → d. Folding character by character keeps a map from the folded text back to the PDF's.
export function foldChar(char) {
  if (char === "đ" || char === "Đ") return "d";
  if (/\s/.test(char)) return " ";
  return char.normalize("NFD").replace(MARKS, "").toLowerCase();
}

export function fold(text) {
  return [...text].map(foldChar).join("").replace(/\s+/g, " ").trim();
}

// The folded text of a page and, for each folded character, where it came from
// ({item, offset} in the text content, or null for the spaces put between items).
function indexPage(items) {
  let text = "";
  const origin = [];
  const push = (char, source) => {
    if (char === " " && (text.endsWith(" ") || text === "")) return;
    text += char;
    origin.push(source);
  };
  items.forEach((item, itemIndex) => {
    [...item.str].forEach((char, offset) => {
      for (const folded of foldChar(char)) push(folded, { item: itemIndex, offset });
    });
    push(" ", null);
  });
  return { text, origin };
}

export class Search {
  constructor(reader, root) {
    this.reader = reader;
    this.form = root.querySelector('[data-role="search-form"]');
    this.input = root.querySelector('[data-role="search-input"]');
    this.status = root.querySelector('[data-role="search-status"]');
    this.list = root.querySelector('[data-role="search-results"]');
    this.pages = new Map(); // page number → {text, origin, items}; text read once per page
    this.generation = 0;
    this.current = null; // the hit boxed on the page
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.run(this.input.value);
    });
    reader.root.addEventListener("viewer:panel", (event) => {
      if (event.detail.name === "search") this.input.focus({ preventScroll: true });
    });
    reader.root.addEventListener("viewer:rendered", () => this.drawCurrent());
  }

  async run(query) {
    const needle = fold(query);
    const generation = ++this.generation; // a newer search stops this one
    this.list.replaceChildren();
    this.current = null;
    this.drawCurrent();
    if (!needle) {
      this.setStatus(gettext("Nhập từ cần tìm."));
      return;
    }
    const total = this.reader.pdf.numPages;
    let hits = 0;
    for (let number = 1; number <= total && hits < MAX_HITS; number += 1) {
      this.setStatus(interpolate(gettext("Đang tìm… trang %(number)s/%(total)s"), { number, total }, true));
      const page = await this.pageText(number);
      if (generation !== this.generation) return;
      for (const hit of this.find(page, needle, number)) {
        this.list.append(this.resultItem(hit, page));
        hits += 1;
        if (hits >= MAX_HITS) break;
      }
    }
    this.finish(hits);
  }

  finish(hits) {
    if (hits === 0) this.setStatus(gettext("Không tìm thấy."));
    else if (hits >= MAX_HITS) {
      this.setStatus(interpolate(gettext("Hơn %s kết quả; hãy gõ cụ thể hơn."), [MAX_HITS]));
    } else {
      this.setStatus(interpolate(ngettext("Tìm thấy %s kết quả.", "Tìm thấy %s kết quả.", hits), [hits]));
    }
    this.list.dataset.done = "1";
  }

  setStatus(text) {
    this.status.textContent = text;
    delete this.list.dataset.done;
  }

  async pageText(number) {
    if (!this.pages.has(number)) {
      const page = await this.reader.pdf.getPage(number);
      const content = await page.getTextContent();
      const items = content.items.filter((item) => typeof item.str === "string");
      this.pages.set(number, { ...indexPage(items), items, view: page.getViewport({ scale: 1 }) });
    }
    return this.pages.get(number);
  }

  *find(page, needle, number) {
    let from = page.text.indexOf(needle);
    while (from !== -1) {
      yield { page: number, start: from, end: from + needle.length };
      from = page.text.indexOf(needle, from + needle.length);
    }
  }

  resultItem(hit, page) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "viewer-result";
    button.dataset.page = String(hit.page);
    const where = document.createElement("strong");
    where.textContent = interpolate(gettext("Trang %s"), [hit.page]);
    const context = document.createElement("span");
    context.textContent = this.context(page, hit);
    button.append(where, context);
    button.addEventListener("click", () => this.jump(hit, button));
    item.append(button);
    return item;
  }

  // The words around the hit as printed (with diacritics), for the results list.
  context(page, hit) {
    const start = Math.max(0, hit.start - CONTEXT_CHARS);
    const end = Math.min(page.text.length, hit.end + CONTEXT_CHARS);
    return ` …${this.originalText(page, { start, end })}…`.replace(/\s+/g, " ");
  }

  originalText(page, hit) {
    let out = "";
    let last = null;
    for (let index = hit.start; index < hit.end; index += 1) {
      const source = page.origin[index];
      if (!source) out += " ";
      else if (!last || last.item !== source.item || last.offset !== source.offset) {
        out += [...page.items[source.item].str][source.offset];
      }
      last = source;
    }
    return out;
  }

  async jump(hit, button) {
    this.current = { hit, rects: this.rects(this.pages.get(hit.page), hit) };
    this.list.querySelectorAll(".viewer-result[aria-current]").forEach((node) => {
      node.removeAttribute("aria-current");
    });
    button.setAttribute("aria-current", "true");
    if (Number(this.reader.root.dataset.renderedPage) === hit.page) {
      this.drawCurrent();
    } else {
      await this.reader.show(hit.page);
    }
  }

  // Boxes (in PDF points, top-left origin) around the hit: one per text item it spans. Glyph
  // widths are not known here, so the box inside an item is proportional to its characters.
  rects(page, hit) {
    const spans = new Map(); // item index → [first offset, last offset]
    for (let index = hit.start; index < hit.end; index += 1) {
      const source = page.origin[index];
      if (!source) continue;
      const span = spans.get(source.item) ?? [source.offset, source.offset];
      spans.set(source.item, [Math.min(span[0], source.offset), Math.max(span[1], source.offset)]);
    }
    const { Util } = this.reader.pdfjs;
    return [...spans].map(([itemIndex, [first, last]]) => {
      const item = page.items[itemIndex];
      const length = [...item.str].length || 1;
      const transform = Util.transform(page.view.transform, item.transform);
      const height = Math.hypot(transform[2], transform[3]);
      const left = transform[4] + (item.width * first) / length;
      const width = (item.width * (last - first + 1)) / length;
      return [left, transform[5] - height, Math.max(width, 2), height * 1.2];
    });
  }

  drawCurrent() {
    this.reader.clearMarks("viewer-hit");
    if (!this.current || this.current.hit.page !== this.reader.pageNumber) return;
    for (const rect of this.current.rects) this.reader.mark(rect, "viewer-hit");
    this.reader.overlay.querySelector(".viewer-hit")?.scrollIntoView({ block: "center" });
  }
}
