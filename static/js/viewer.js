// KyHop PDF reader: one page at a time on a canvas, loaded by HTTP range requests.
// Loaded as an ES module from 'self' (the CSP allows no inline script); every URL it needs comes
// from data- attributes on #pdf-viewer so nothing is hard-coded here.

const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
// 64 KiB chunks: page 1 of a large file needs the header, the xref and that page's objects,
// each a few chunks, so far less than the whole file travels before the first page shows.
const RANGE_CHUNK_SIZE = 65536;
const SWIPE_MIN_PX = 60;

function el(root, role) {
  return root.querySelector(`[data-role="${role}"]`);
}

function setStatus(root, text) {
  const status = el(root, "status");
  status.textContent = text;
  status.hidden = !text;
}

// Also exported for pages that embed the reader (the live meeting's presenter mode): it
// returns the Reader, whose show(page) turns pages; every page change is announced as a
// "viewer:page" event on the root, with detail {page, source} ("user" or "program").
export async function mountViewer(root) {
  const pdfjs = await import(root.dataset.pdfjsUrl);
  pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.workerUrl;
  const task = pdfjs.getDocument({
    url: root.dataset.pdfUrl,
    // Fetch only the ranges needed for the pages shown, never the whole file in the background.
    disableAutoFetch: true,
    disableStream: true,
    rangeChunkSize: RANGE_CHUNK_SIZE,
    // The CSP forbids eval; pdf.js then uses its slower but safe font path.
    isEvalSupported: false,
    cMapUrl: root.dataset.cmapsUrl,
    cMapPacked: true,
    standardFontDataUrl: root.dataset.fontsUrl,
  });
  let pdf;
  try {
    pdf = await task.promise;
  } catch (error) {
    setStatus(root, "Không mở được văn bản. Hãy tải lại trang hoặc tải tệp PDF về máy.");
    console.error(error);
    return null;
  }
  setStatus(root, "");
  const reader = new Reader(pdf, root);
  const first = Number(root.dataset.startPage || 1);
  reader.show(first, "program");
  return reader;
}

class Reader {
  constructor(pdf, root) {
    this.pdf = pdf;
    this.root = root;
    this.pageNumber = 1;
    this.zoom = null; // null = fit the width of the screen
    this.renderTask = null;
    this.canvas = el(root, "canvas");
    this.stage = el(root, "stage");
    this.pageInput = el(root, "page");
    el(root, "count").textContent = String(pdf.numPages);
    this.pageInput.max = String(pdf.numPages);
    this.bind();
  }

  bind() {
    const actions = {
      prev: () => this.show(this.pageNumber - 1),
      next: () => this.show(this.pageNumber + 1),
      "zoom-in": () => this.step(+1),
      "zoom-out": () => this.step(-1),
      fit: () => this.setZoom(null),
    };
    this.root.querySelectorAll("[data-action]").forEach((button) => {
      button.addEventListener("click", () => actions[button.dataset.action]());
    });
    this.pageInput.addEventListener("change", () => this.show(Number(this.pageInput.value)));
    document.addEventListener("keydown", (event) => {
      if (event.target instanceof HTMLInputElement || !this.root.isConnected) return;
      if (event.key === "ArrowRight" || event.key === "PageDown") actions.next();
      if (event.key === "ArrowLeft" || event.key === "PageUp") actions.prev();
    });
    this.bindSwipe();
    window.addEventListener("resize", () => {
      if (this.zoom === null) this.show(this.pageNumber);
    });
  }

  bindSwipe() {
    // Tablets: a horizontal swipe turns the page; vertical movement is left to scrolling.
    let startX = null;
    let startY = null;
    this.stage.addEventListener("pointerdown", (event) => {
      startX = event.clientX;
      startY = event.clientY;
    });
    this.stage.addEventListener("pointerup", (event) => {
      if (startX === null) return;
      const dx = event.clientX - startX;
      const dy = event.clientY - startY;
      startX = null;
      if (Math.abs(dx) < SWIPE_MIN_PX || Math.abs(dx) < 2 * Math.abs(dy)) return;
      this.show(this.pageNumber + (dx < 0 ? 1 : -1));
    });
  }

  currentScale(page) {
    if (this.zoom !== null) return this.zoom;
    const width = page.getViewport({ scale: 1 }).width;
    return Math.max(0.25, (this.stage.clientWidth - 8) / width);
  }

  step(direction) {
    const current = this.zoom ?? this.fittedScale ?? 1;
    const next =
      direction > 0
        ? ZOOM_STEPS.find((z) => z > current + 0.01)
        : [...ZOOM_STEPS].reverse().find((z) => z < current - 0.01);
    if (next !== undefined) this.setZoom(next);
  }

  setZoom(zoom) {
    this.zoom = zoom;
    this.show(this.pageNumber);
  }

  async show(number, source = "user") {
    if (!Number.isInteger(number) || number < 1 || number > this.pdf.numPages) {
      this.pageInput.value = String(this.pageNumber);
      return;
    }
    const changed = number !== this.pageNumber;
    this.pageNumber = number;
    if (changed || source === "program") {
      this.root.dispatchEvent(new CustomEvent("viewer:page", { detail: { page: number, source } }));
    }
    this.pageInput.value = String(number);
    if (this.renderTask) this.renderTask.cancel();
    const page = await this.pdf.getPage(number);
    const scale = this.currentScale(page);
    if (this.zoom === null) this.fittedScale = scale;
    el(this.root, "zoom").textContent = `${Math.round(scale * 100)}%`;
    this.render(page, scale);
  }

  async render(page, scale) {
    const ratio = window.devicePixelRatio || 1;
    const viewport = page.getViewport({ scale });
    this.canvas.width = Math.floor(viewport.width * ratio);
    this.canvas.height = Math.floor(viewport.height * ratio);
    // CSSOM property writes are allowed by the CSP (only inline style attributes are not).
    this.canvas.style.width = `${Math.floor(viewport.width)}px`;
    this.canvas.style.height = `${Math.floor(viewport.height)}px`;
    const transform = ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null;
    this.renderTask = page.render({ canvas: this.canvas, viewport, transform });
    try {
      await this.renderTask.promise;
      // A hook for tests and benchmarks: which page is on screen now.
      this.root.dataset.renderedPage = String(page.pageNumber);
    } catch (error) {
      if (error?.name !== "RenderingCancelledException") {
        setStatus(this.root, "Không hiển thị được trang này.");
        console.error(error);
      }
    }
  }
}

// The reader page: mount the one reader unless the page embeds it itself (data-manual).
const pageRoot = document.getElementById("pdf-viewer");
if (pageRoot && !("manual" in pageRoot.dataset)) mountViewer(pageRoot);
