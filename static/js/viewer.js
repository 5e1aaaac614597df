// KyHop PDF reader: one page at a time on a canvas, loaded by HTTP range requests.
// Loaded as an ES module from 'self' (the CSP allows no inline script); every URL it needs comes
// from data- attributes on #pdf-viewer so nothing is hard-coded here.
//
// The core (this file) shows pages, zooms (buttons, pinch, double tap), turns pages (buttons,
// swipe, keyboard) and keeps an overlay above the page for marks. Thumbnails, text search and
// private notes live in their own modules and switch on only when the page has their panels,
// so the live meeting's embedded reader stays the plain one.
//
// Texts go through gettext/interpolate from Django's JavaScript catalogue (a deferred script in
// the head of base.html, so it has run before any module), Vietnamese being the msgid.

import { Notes } from "./viewer-notes.js";
import { Search } from "./viewer-search.js";
import { Thumbnails } from "./viewer-thumbs.js";

const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
const ZOOM_MIN = 0.25;
const ZOOM_MAX = 5;
// 64 KiB chunks: page 1 of a large file needs the header, the xref and that page's objects,
// each a few chunks, so far less than the whole file travels before the first page shows.
const RANGE_CHUNK_SIZE = 65536;
const SWIPE_MIN_PX = 60;
const DOUBLE_TAP_MS = 300;
const DOUBLE_TAP_PX = 30;
// Tablets run out of memory on huge canvases; past this many device pixels we draw at a lower
// resolution than the screen (slightly soft at extreme zoom, never a blank page).
const CANVAS_MAX_PIXELS = 16_000_000;

export function el(root, role) {
  return root.querySelector(`[data-role="${role}"]`);
}

export function setStatus(root, text) {
  const status = el(root, "status");
  status.textContent = text;
  status.hidden = !text;
}

export function panelOpen(panel) {
  return panel.classList.contains("offcanvas") ? panel.classList.contains("show") : !panel.hidden;
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}

// Also exported for pages that embed the reader (the live meeting's presenter mode): it
// returns the Reader, whose show(page) turns pages; every page change is announced as a
// "viewer:page" event on the root, with detail {page, source} ("user" or "program"), and every
// finished drawing as "viewer:rendered" with detail {page, scale}.
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
    // Never run what a PDF carries: no XFA forms, and no scripting at all — scripts
    // run only in pdf.js's scripting sandbox, driven by its viewer's PDFScriptingManager, which
    // this reader does not use (nor serve: static/vendor has no pdf.sandbox). Pages are drawn
    // to a canvas with no annotation layer, so links and form actions cannot fire either.
    enableXfa: false,
    cMapUrl: root.dataset.cmapsUrl,
    cMapPacked: true,
    standardFontDataUrl: root.dataset.fontsUrl,
  });
  let pdf;
  try {
    pdf = await task.promise;
  } catch (error) {
    setStatus(root, gettext("Không mở được văn bản. Hãy tải lại trang hoặc tải tệp PDF về máy."));
    console.error(error);
    return null;
  }
  setStatus(root, "");
  const reader = new Reader(pdf, root, pdfjs);
  attachFeatures(reader);
  const first = Number(root.dataset.startPage || 1);
  reader.show(first, "program");
  return reader;
}

// Each feature needs its panel in the page; none of them loads anything before it is used,
// except the notes list (a small JSON request, so that my highlights show on the page).
function attachFeatures(reader) {
  const { root } = reader;
  const thumbs = el(root, "thumbs");
  if (thumbs) reader.features.thumbs = new Thumbnails(reader, thumbs);
  const search = el(root, "search-form");
  if (search) reader.features.search = new Search(reader, root);
  if (root.dataset.notesUrl) reader.features.notes = new Notes(reader, root);
}

export class Reader {
  constructor(pdf, root, pdfjs) {
    this.pdf = pdf;
    this.pdfjs = pdfjs;
    this.root = root;
    this.pageNumber = 1;
    this.zoom = null; // null = fit the width of the screen
    this.scale = 1; // the scale of the page on screen now (CSS pixels per PDF point)
    this.renderTask = null;
    this.features = {};
    this.canvas = el(root, "canvas");
    this.stage = el(root, "stage");
    this.pageInput = el(root, "page");
    this.sheet = this.wrapCanvas();
    this.overlay = this.sheet.querySelector(".viewer-overlay");
    el(root, "count").textContent = String(pdf.numPages);
    this.pageInput.max = String(pdf.numPages);
    this.bind();
  }

  // The canvas sits in a "sheet" with an overlay of the same size on top: search hits and
  // highlights are positioned boxes there, so they follow the page without redrawing it.
  wrapCanvas() {
    const sheet = document.createElement("div");
    sheet.className = "viewer-sheet";
    const overlay = document.createElement("div");
    overlay.className = "viewer-overlay";
    this.canvas.replaceWith(sheet);
    sheet.append(this.canvas, overlay);
    return sheet;
  }

  bind() {
    const actions = {
      prev: () => this.show(this.pageNumber - 1),
      next: () => this.show(this.pageNumber + 1),
      "zoom-in": () => this.step(+1),
      "zoom-out": () => this.step(-1),
      fit: () => this.setZoom(null),
      panel: (button) => this.togglePanel(button.dataset.panel),
      "panel-close": () => this.closePanels(),
    };
    this.root.querySelectorAll("[data-action]").forEach((button) => {
      const action = actions[button.dataset.action];
      if (action) button.addEventListener("click", () => action(button));
    });
    this.pageInput.addEventListener("change", () => this.show(Number(this.pageInput.value)));
    document.addEventListener("keydown", (event) => this.onKey(event, actions));
    this.bindTouch();
    this.stage.addEventListener("dblclick", (event) => this.toggleZoomAt(event));
    window.addEventListener("resize", () => {
      if (this.zoom === null) this.show(this.pageNumber);
    });
  }

  onKey(event, actions) {
    if (event.key === "Escape" && this.root.querySelector("[data-panel-name].show")) {
      this.closePanels();
      return;
    }
    const target = event.target;
    const typing =
      target instanceof HTMLInputElement ||
      target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement;
    if (typing || !this.root.isConnected || event.ctrlKey || event.metaKey || event.altKey) return;
    const keys = {
      ArrowRight: actions.next,
      PageDown: actions.next,
      ArrowLeft: actions.prev,
      PageUp: actions.prev,
      Home: () => this.show(1),
      End: () => this.show(this.pdf.numPages),
      "+": actions["zoom-in"],
      "-": actions["zoom-out"],
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  }

  // Touch: one finger swipes pages (when the page fits the width) and double-taps to zoom;
  // two fingers pinch. Touch events rather than pointer events because the browser cancels
  // pointers as soon as it starts scrolling, while touch events keep arriving.
  bindTouch() {
    let start = null; // {x, y, time} of a one-finger touch
    let pinch = null; // {distance, scale, originX, originY} while two fingers are down
    let lastTap = null;
    this.stage.addEventListener(
      "touchstart",
      (event) => {
        if (this.drawing) return;
        if (event.touches.length === 2) {
          start = null;
          pinch = this.pinchStart(event.touches);
        } else if (event.touches.length === 1) {
          const touch = event.touches[0];
          start = { x: touch.clientX, y: touch.clientY, time: event.timeStamp };
        }
      },
      { passive: true },
    );
    this.stage.addEventListener(
      "touchmove",
      (event) => {
        if (pinch && event.touches.length === 2) {
          event.preventDefault(); // the page itself must not zoom or scroll during a pinch
          this.pinchMove(pinch, event.touches);
        } else if (start && event.touches.length === 1 && this.isSwipe(start, event.touches[0])) {
          // Ours, not the browser's: a sideways swipe would otherwise go back in history.
          if (event.cancelable) event.preventDefault();
        }
      },
      { passive: false },
    );
    this.stage.addEventListener("touchend", (event) => {
      if (pinch) {
        if (event.touches.length < 2) this.pinchEnd(pinch);
        pinch = event.touches.length < 2 ? null : pinch;
        return;
      }
      if (!start || event.touches.length > 0) return;
      const touch = event.changedTouches[0];
      const dx = touch.clientX - start.x;
      const dy = touch.clientY - start.y;
      const tap = Math.hypot(dx, dy) < 10 && event.timeStamp - start.time < 250;
      if (tap) {
        const double =
          lastTap &&
          event.timeStamp - lastTap.time < DOUBLE_TAP_MS &&
          Math.hypot(touch.clientX - lastTap.x, touch.clientY - lastTap.y) < DOUBLE_TAP_PX;
        lastTap = double ? null : { x: touch.clientX, y: touch.clientY, time: event.timeStamp };
        if (double) {
          event.preventDefault(); // no synthetic dblclick: we handled it here
          this.toggleZoomAt(touch);
        }
      } else {
        this.maybeSwipe(dx, dy);
      }
      start = null;
    });
    this.stage.addEventListener("touchcancel", () => {
      if (pinch) this.pinchEnd(pinch);
      pinch = null;
      start = null;
    });
  }

  // Zoomed into the page, a sideways movement pans it instead of turning it.
  pans() {
    return this.stage.scrollWidth > this.stage.clientWidth + 1;
  }

  isSwipe(start, touch) {
    const dx = Math.abs(touch.clientX - start.x);
    return !this.pans() && dx > 10 && dx > 2 * Math.abs(touch.clientY - start.y);
  }

  maybeSwipe(dx, dy) {
    if (this.pans() || Math.abs(dx) < SWIPE_MIN_PX || Math.abs(dx) < 2 * Math.abs(dy)) return;
    this.show(this.pageNumber + (dx < 0 ? 1 : -1));
  }

  pinchStart(touches) {
    const [a, b] = touches;
    const box = this.sheet.getBoundingClientRect();
    return {
      distance: Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY) || 1,
      scale: this.scale,
      ratio: 1,
      originX: (a.clientX + b.clientX) / 2 - box.left,
      originY: (a.clientY + b.clientY) / 2 - box.top,
    };
  }

  // During the pinch the drawn page is only stretched with a CSS transform (cheap, smooth);
  // the page is drawn again, sharp, at the new scale when the fingers lift.
  pinchMove(pinch, touches) {
    const [a, b] = touches;
    const distance = Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY);
    const scale = clamp((pinch.scale * distance) / pinch.distance, ZOOM_MIN, ZOOM_MAX);
    pinch.ratio = scale / pinch.scale;
    this.sheet.style.transformOrigin = `${pinch.originX}px ${pinch.originY}px`;
    this.sheet.style.transform = `scale(${pinch.ratio})`;
  }

  pinchEnd(pinch) {
    this.sheet.style.transform = "";
    if (Math.abs(pinch.ratio - 1) > 0.02) this.setZoom(pinch.scale * pinch.ratio);
  }

  // Double tap (or double click): from the fitted page to twice its size around the tapped
  // point, and back.
  async toggleZoomAt(point) {
    const fitted = this.fittedScale ?? this.scale;
    const box = this.sheet.getBoundingClientRect();
    const fx = (point.clientX - box.left) / box.width;
    const fy = (point.clientY - box.top) / box.height;
    await this.setZoom(this.zoom === null ? fitted * 2 : null);
    if (this.zoom !== null) {
      this.stage.scrollLeft = fx * this.sheet.offsetWidth - this.stage.clientWidth / 2;
      this.stage.scrollTop = fy * this.sheet.offsetHeight - this.stage.clientHeight / 2;
    }
  }

  // The panels are drawers over the page (Bootstrap's offcanvas classes, toggled here rather
  // than by Bootstrap's script: the page stays usable beside an open drawer, so it is no modal
  // dialog). One drawer at a time; Escape or its close button shuts it.
  togglePanel(name) {
    for (const panel of this.root.querySelectorAll("[data-panel-name]")) {
      this.setPanel(panel, panel.dataset.panelName === name && !panelOpen(panel));
    }
  }

  setPanel(panel, open) {
    const name = panel.dataset.panelName;
    if (panelOpen(panel) === open) return;
    if (panel.classList.contains("offcanvas")) panel.classList.toggle("show", open);
    else panel.hidden = !open;
    const button = this.root.querySelector(`[data-action="panel"][data-panel="${name}"]`);
    button?.setAttribute("aria-pressed", String(open));
    if (open) {
      this.root.dispatchEvent(new CustomEvent("viewer:panel", { detail: { name } }));
    } else if (panel.contains(document.activeElement)) {
      button?.focus(); // focus must not stay on something that is no longer shown
    }
  }

  closePanels() {
    this.root.querySelectorAll("[data-panel-name]").forEach((panel) => this.setPanel(panel, false));
  }

  currentScale(page) {
    if (this.zoom !== null) return this.zoom;
    const width = page.getViewport({ scale: 1 }).width;
    return Math.max(ZOOM_MIN, (this.stage.clientWidth - 8) / width);
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
    this.zoom = zoom === null ? null : clamp(zoom, ZOOM_MIN, ZOOM_MAX);
    return this.show(this.pageNumber);
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
    if (number !== this.pageNumber) return; // the reader moved on while this page loaded
    const scale = this.currentScale(page);
    if (this.zoom === null) this.fittedScale = scale;
    el(this.root, "zoom").textContent = `${Math.round(scale * 100)}%`;
    await this.render(page, scale);
  }

  async render(page, scale) {
    // pdf.js refuses a second render() on a canvas until the first has ended: cancel the one
    // under way and wait for it to end; of renders asked for meanwhile only the newest runs.
    const generation = (this.renderGeneration = (this.renderGeneration || 0) + 1);
    const previous = this.renderTask;
    if (previous) {
      previous.cancel();
      await previous.promise.catch(() => {});
    }
    if (generation !== this.renderGeneration) return;
    const viewport = page.getViewport({ scale });
    const pixels = viewport.width * viewport.height;
    const ratio = Math.min(window.devicePixelRatio || 1, Math.sqrt(CANVAS_MAX_PIXELS / pixels));
    this.canvas.width = Math.floor(viewport.width * ratio);
    this.canvas.height = Math.floor(viewport.height * ratio);
    // CSSOM property writes are allowed by the CSP (only inline style attributes are not).
    for (const node of [this.canvas, this.sheet]) {
      node.style.width = `${Math.floor(viewport.width)}px`;
      node.style.height = `${Math.floor(viewport.height)}px`;
    }
    const transform = ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null;
    const task = page.render({ canvas: this.canvas, viewport, transform });
    this.renderTask = task;
    try {
      await task.promise;
      this.scale = scale;
      this.sheet.dataset.page = String(page.pageNumber);
      // A hook for tests and benchmarks: which page is on screen now.
      this.root.dataset.renderedPage = String(page.pageNumber);
      this.root.dispatchEvent(
        new CustomEvent("viewer:rendered", { detail: { page: page.pageNumber, scale } }),
      );
    } catch (error) {
      if (error?.name !== "RenderingCancelledException") {
        setStatus(this.root, gettext("Không hiển thị được trang này."));
        console.error(error);
      }
    }
  }

  // A box on the overlay for a rectangle given in PDF points ([x, y, width, height], origin
  // top-left of the page as shown). Marks are removed by their owners by class name.
  mark(rect, className) {
    const [x, y, width, height] = rect;
    const box = document.createElement("div");
    box.className = className;
    box.style.left = `${x * this.scale}px`;
    box.style.top = `${y * this.scale}px`;
    box.style.width = `${width * this.scale}px`;
    box.style.height = `${height * this.scale}px`;
    this.overlay.append(box);
    return box;
  }

  clearMarks(className) {
    this.overlay.querySelectorAll(`.${className}`).forEach((box) => box.remove());
  }
}

// The reader page: mount the one reader unless the page embeds it itself (data-manual).
const pageRoot = document.getElementById("pdf-viewer");
if (pageRoot && !("manual" in pageRoot.dataset)) mountViewer(pageRoot);
