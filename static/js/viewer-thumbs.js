// Thumbnails panel of the KyHop reader. Nothing happens until the panel is first opened: then
// one placeholder per page is laid out, and a page is drawn (small) only when its placeholder
// scrolls into view, so a 300-page file costs only the pages actually looked at.

const THUMB_WIDTH = 110; // CSS pixels
const CONCURRENT = 2; // drawing more at once only slows the page the reader is looking at

export class Thumbnails {
  constructor(reader, container) {
    this.reader = reader;
    this.container = container;
    this.built = false;
    this.queue = [];
    this.running = 0;
    reader.root.addEventListener("viewer:panel", (event) => {
      if (event.detail.name === "thumbs") this.open();
    });
    reader.root.addEventListener("viewer:page", (event) => this.markCurrent(event.detail.page));
  }

  async open() {
    if (!this.built) await this.build();
    this.markCurrent(this.reader.pageNumber);
  }

  async build() {
    this.built = true;
    // Every placeholder takes page 1's proportions; pages of other sizes adjust when drawn.
    const first = (await this.reader.pdf.getPage(1)).getViewport({ scale: 1 });
    const height = Math.round((THUMB_WIDTH * first.height) / first.width);
    // The root must be the element that scrolls (the panel), or every placeholder "intersects".
    this.observer = new IntersectionObserver((entries) => this.onVisible(entries), {
      root: this.container.closest(".viewer-panel-scroll, .viewer-panel") ?? this.container,
      rootMargin: "100px 0px",
    });
    const fragment = document.createDocumentFragment();
    for (let number = 1; number <= this.reader.pdf.numPages; number += 1) {
      fragment.append(this.placeholder(number, height));
    }
    this.container.append(fragment);
    this.container.querySelectorAll(".viewer-thumb").forEach((node) => this.observer.observe(node));
  }

  placeholder(number, height) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "viewer-thumb";
    button.dataset.page = String(number);
    button.setAttribute("aria-label", interpolate(gettext("Trang %s"), [number]));
    const frame = document.createElement("span");
    frame.className = "viewer-thumb-frame";
    frame.style.width = `${THUMB_WIDTH}px`;
    frame.style.height = `${height}px`;
    const label = document.createElement("span");
    label.className = "viewer-thumb-label";
    label.textContent = String(number);
    button.append(frame, label);
    button.addEventListener("click", () => this.reader.show(number));
    return button;
  }

  onVisible(entries) {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      this.observer.unobserve(entry.target); // drawn once, kept
      this.queue.push(entry.target);
    }
    this.pump();
  }

  pump() {
    while (this.running < CONCURRENT && this.queue.length) {
      const node = this.queue.shift();
      this.running += 1;
      this.draw(node)
        .catch((error) => console.error(error))
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
  }

  async draw(node) {
    const page = await this.reader.pdf.getPage(Number(node.dataset.page));
    const viewport = page.getViewport({ scale: THUMB_WIDTH / page.getViewport({ scale: 1 }).width });
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    await page.render({ canvas, viewport }).promise;
    const frame = node.querySelector(".viewer-thumb-frame");
    frame.style.height = `${canvas.height}px`;
    frame.replaceChildren(canvas);
    node.dataset.rendered = "1";
  }

  markCurrent(number) {
    if (!this.built) return;
    this.container.querySelectorAll('.viewer-thumb[aria-current="page"]').forEach((node) => {
      node.removeAttribute("aria-current");
    });
    const current = this.container.querySelector(`.viewer-thumb[data-page="${number}"]`);
    if (!current) return;
    current.setAttribute("aria-current", "page");
    const panel = this.container.closest(".viewer-panel");
    if (panel?.classList.contains("show")) this.reveal(current);
  }

  // Scrolls the drawer only: scrollIntoView would also move the page behind it while the drawer
  // slides in.
  reveal(node) {
    const scroller = this.container.closest(".viewer-panel-scroll") ?? this.container;
    const box = scroller.getBoundingClientRect();
    const own = node.getBoundingClientRect();
    if (own.top < box.top || own.bottom > box.bottom) {
      scroller.scrollTop += own.top - box.top - (box.height - own.height) / 2;
    }
  }
}
