// People pickers (accounts/widgets.py): the select of every allowed person becomes a combobox
// that asks the server as one types ("pho chu tich" finds "Phó Chủ tịch"), with the chosen
// people as chips. The select stays in the page, hidden, and remains what the form sends, so
// the server's validation is unchanged and a page without this script still works.
//
// Keys: ↑/↓ move through the results, Enter chooses, Esc closes (a second Esc clears the text),
// Backspace in an empty box removes the last chosen person. Each chip's × is a 44 px button.

const DEBOUNCE_MS = 200;
let serial = 0;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function enhance(root) {
  const select = root.querySelector("select");
  if (!select || root.dataset.ready) return;
  root.dataset.ready = "1";
  const id = `kh-picker-${++serial}`;
  const multiple = select.multiple;

  const chips = el("ul", { className: "kh-picker-chips", "aria-label": gettext("Đã chọn") });
  const input = el("input", {
    type: "text",
    id: `${id}-input`,
    className: "form-control kh-picker-input",
    role: "combobox",
    autocomplete: "off",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": `${id}-list`,
    placeholder: gettext("Tìm theo tên, chức vụ, đơn vị"),
  });
  const list = el("ul", { id: `${id}-list`, className: "kh-picker-list", role: "listbox", hidden: "" });
  const status = el("div", { className: "visually-hidden", "aria-live": "polite", role: "status" });
  const box = el("div", { className: "kh-picker-box" }, chips, input);
  root.append(box, list, status);

  // The label and the descriptions now belong to the box one types in; the select is hidden
  // from people and assistive technology but kept, so the form (and a test) can still use it.
  const label = select.id ? document.querySelector(`label[for="${select.id}"]`) : null;
  if (label) {
    label.htmlFor = input.id;
    label.id ||= `${id}-label`;
    list.setAttribute("aria-labelledby", label.id);
    chips.setAttribute("aria-label", interpolate(gettext("Đã chọn: %s"), [label.textContent.trim()]));
  }
  const described = select.getAttribute("aria-describedby");
  if (described) input.setAttribute("aria-describedby", described);
  if (select.required) {
    // The browser would point its own "choose an item" bubble at a select no one can see;
    // the server answers an empty choice with its Vietnamese message instead.
    input.setAttribute("aria-required", "true");
    select.required = false;
  }
  if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
  select.classList.add("kh-picker-native");
  select.setAttribute("aria-hidden", "true");
  select.tabIndex = -1;

  let results = [];
  let active = -1;
  let timer = 0;
  let pending = null;

  const announce = (text) => { status.textContent = text; };
  // Chips stand in the order people were chosen (those chosen when the page came first).
  const picked = [];
  const rank = (option) => picked.indexOf(option.value);
  const chosen = () => Array.from(select.selectedOptions)
    .filter((option) => option.value !== "")
    .sort((a, b) => rank(a) - rank(b));

  function renderChips() {
    chips.replaceChildren(
      ...chosen().map((option) => {
        const remove = el("button", {
          type: "button",
          className: "kh-chip-remove",
          "aria-label": interpolate(gettext("Bỏ chọn %s"), [option.textContent]),
        }, el("i", { className: "bi bi-x-lg", "aria-hidden": "true" }));
        remove.addEventListener("click", () => unchoose(option.value));
        return el("li", { className: "kh-chip" }, el("span", { text: option.textContent }), remove);
      }),
    );
    chips.hidden = chips.childElementCount === 0;
  }

  function optionFor(person) {
    let option = Array.from(select.options).find((o) => o.value === String(person.id));
    if (!option) {
      // Not listed when the page was made: the server decides whether it may be chosen.
      option = el("option", { value: String(person.id), text: person.label });
      select.append(option);
    }
    return option;
  }

  function changed() {
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function choose(person) {
    const option = optionFor(person);
    const before = picked.indexOf(option.value);
    if (before !== -1) picked.splice(before, 1);
    picked.push(option.value);
    if (multiple) option.selected = true;
    else select.value = option.value;
    changed();
    input.value = "";
    close();
    announce(interpolate(gettext("Đã chọn %s"), [person.label]));
    input.focus();
  }

  function unchoose(value) {
    const option = Array.from(select.options).find((o) => o.value === value);
    if (!option) return;
    if (multiple) option.selected = false;
    else if (Array.from(select.options).some((o) => o.value === "")) select.value = "";
    else select.selectedIndex = -1;
    changed();
    announce(interpolate(gettext("Đã bỏ chọn %s"), [option.textContent]));
    input.focus();
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const items = list.querySelectorAll("[role=option]");
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function show(found, more) {
    const taken = new Set(chosen().map((option) => option.value));
    results = found.filter((person) => !taken.has(String(person.id)));
    list.replaceChildren(
      ...results.map((person, index) => {
        const item = el("li", { id: `${id}-opt-${index}`, role: "option", "aria-selected": "false", className: "kh-picker-option" },
          el("span", { className: "kh-picker-name", text: person.name }));
        if (person.detail) item.append(el("span", { className: "kh-picker-detail", text: person.detail }));
        // mousedown would move the focus out of the box and close the list before the click.
        item.addEventListener("mousedown", (event) => event.preventDefault());
        item.addEventListener("click", () => choose(person));
        return item;
      }),
    );
    if (!results.length) list.append(el("li", { className: "kh-picker-empty", text: gettext("Không tìm thấy ai") }));
    else if (more) list.append(el("li", { className: "kh-picker-more", text: gettext("Còn nữa: gõ thêm để thu hẹp.") }));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
    announce(results.length
      ? interpolate(ngettext("%s người phù hợp", "%s người phù hợp", results.length), [results.length])
      : gettext("Không tìm thấy ai"));
  }

  async function search() {
    pending?.abort();
    pending = new AbortController();
    const url = new URL(root.dataset.searchUrl, location.href);
    url.searchParams.set("q", input.value);
    url.searchParams.set("token", root.dataset.token);
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending.signal,
      });
      const data = response.headers.get("Content-Type")?.includes("json") ? await response.json() : {};
      if (!response.ok) {
        announce(data.error || gettext("Không tìm được. Hãy tải lại trang."));
        list.replaceChildren(el("li", { className: "kh-picker-empty", text: data.error || gettext("Không tìm được. Hãy tải lại trang.") }));
        list.hidden = false;
        return;
      }
      show(data.results, data.more);
    } catch (error) {
      if (error.name !== "AbortError") announce(gettext("Không tìm được. Hãy tải lại trang."));
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  }

  input.addEventListener("input", later);
  input.addEventListener("focus", () => { if (!input.value && list.hidden) later(); });
  input.addEventListener("blur", () => { clearTimeout(timer); close(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) { search(); return; }
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      // Enter chooses; it never submits the form from the search box.
      event.preventDefault();
      if (!list.hidden && active >= 0 && results[active]) choose(results[active]);
      else if (!list.hidden && results.length === 1) choose(results[0]);
    } else if (event.key === "Escape") {
      if (!list.hidden) { event.preventDefault(); close(); }
      else if (input.value) { event.preventDefault(); input.value = ""; }
    } else if (event.key === "Backspace" && !input.value) {
      const last = chosen().at(-1);
      if (last) { event.preventDefault(); unchoose(last.value); }
    }
  });
  // A choice made on the select itself (a restored form, a test) shows as chips too.
  select.addEventListener("change", renderChips);
  renderChips();
}

document.querySelectorAll("[data-people-picker]").forEach(enhance);
