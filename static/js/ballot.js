// The ballot takeover on an official's screen: when a poll opens, a modal <dialog> (role
// alertdialog) takes the screen, the choices are large buttons, and one confirmation step
// ("Xác nhận: Tán thành?") comes before the ballot is cast. live.js decides when to open it and
// sends the ballot; this module only draws the dialog and reports the voter's answer through
// two events on the dialog: "ballot:cast" {poll_id, option_ids} and "ballot:later" {poll_id}.
// The native dialog makes the rest of the page inert and keeps the focus inside.

let poll = null; // the poll on screen: {id, title, multiple, options: [{id, key, label}]}
let chosen = []; // the option ids picked, waiting for the confirmation

const part = (dialog, role) => dialog.querySelector(`[data-role="${role}"]`);

// A short tone where the tablet allows it. Browsers let a page make sound only once the person
// has touched it, so the audio context is made on the first tap, never before.
let audio = null;
document.addEventListener(
  "pointerdown",
  () => {
    try {
      audio = new AudioContext();
    } catch {
      audio = null; // no audio output: the dialog and the vibration still alert
    }
  },
  { once: true, capture: true },
);

function chime() {
  if (!audio || audio.state !== "running") return;
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.frequency.value = 880;
  gain.gain.value = 0.15;
  tone.connect(gain).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.25);
}

function button(attrs, text) {
  const node = document.createElement("button");
  node.type = "button";
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.textContent = text;
  return node;
}

function choiceClass(key) {
  if (key === "yes" || key === "high") return "btn-outline-success";
  if (key === "no" || key === "low") return "btn-outline-danger";
  return "btn-outline-primary";
}

function renderChoices(dialog) {
  const box = part(dialog, "ballot-choices");
  if (poll.multiple) {
    box.replaceChildren(
      ...poll.options.map((o) => {
        const label = document.createElement("label");
        label.className = "ballot-check form-check";
        const input = document.createElement("input");
        input.type = "checkbox";
        input.className = "form-check-input";
        input.value = String(o.id);
        label.append(input, ` ${o.label}`);
        return label;
      }),
      button({ class: "btn btn-primary btn-lg ballot-next", "data-ballot": "next" }, gettext("Tiếp tục")),
    );
  } else {
    box.replaceChildren(
      ...poll.options.map((o) => button({ class: `btn btn-lg ballot-choice ${choiceClass(o.key)}`, "data-ballot": "choose", "data-option": String(o.id) }, o.label)),
    );
  }
}

function step(dialog, confirming) {
  part(dialog, "ballot-choices").hidden = confirming;
  part(dialog, "ballot-confirm").hidden = !confirming;
  for (const node of dialog.querySelectorAll("button")) node.disabled = false;
  const target = confirming ? part(dialog, "ballot-yes") : dialog.querySelector("[data-ballot=choose], .ballot-check input");
  target?.focus();
}

function askConfirmation(dialog, optionIds) {
  if (!optionIds.length) {
    part(dialog, "ballot-status").textContent = gettext("Hãy chọn ít nhất một phương án.");
    return;
  }
  if (poll.multiple && optionIds.length > poll.maxChoices) {
    part(dialog, "ballot-status").textContent = interpolate(gettext("Chỉ được chọn tối đa %s phương án."), [poll.maxChoices]);
    return;
  }
  chosen = optionIds;
  const names = poll.options.filter((o) => optionIds.includes(o.id)).map((o) => o.label);
  part(dialog, "ballot-question").textContent = interpolate(gettext("Xác nhận: %s?"), [names.join(", ")]);
  part(dialog, "ballot-status").textContent = "";
  step(dialog, true);
}

function onClick(dialog, event) {
  const target = event.target.closest("button");
  if (!target || !poll) return;
  const role = target.dataset.role;
  if (target.dataset.ballot === "choose") askConfirmation(dialog, [Number(target.dataset.option)]);
  else if (target.dataset.ballot === "next") {
    const ticked = [...dialog.querySelectorAll(".ballot-check input:checked")].map((input) => Number(input.value));
    askConfirmation(dialog, ticked);
  } else if (role === "ballot-back") step(dialog, false);
  else if (role === "ballot-yes") {
    for (const node of dialog.querySelectorAll("button")) node.disabled = true;
    part(dialog, "ballot-status").textContent = gettext("Đang gửi phiếu…");
    dialog.dispatchEvent(new CustomEvent("ballot:cast", { detail: { poll_id: poll.id, option_ids: chosen } }));
  } else if (role === "ballot-later") {
    const id = poll.id;
    ballotClose(dialog);
    dialog.dispatchEvent(new CustomEvent("ballot:later", { detail: { poll_id: id } }));
  }
}

export function ballotSetup(dialog) {
  if (!dialog || dialog.dataset.ready) return;
  dialog.dataset.ready = "1";
  dialog.addEventListener("click", (event) => onClick(dialog, event));
  // Escape closes a modal dialog: for a voter that means "later", never a ballot.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (poll) part(dialog, "ballot-later").click();
  });
}

// Opens the dialog on *view* ({id, title, subtitle, multiple, maxChoices, options}); calling it
// again for the poll already on screen changes nothing (events re-render the polls often).
export function ballotOpen(dialog, view, { alert = true } = {}) {
  if (poll?.id === view.id && dialog.open) return;
  poll = view;
  chosen = [];
  part(dialog, "ballot-title").textContent = view.title;
  part(dialog, "ballot-help").textContent = view.subtitle;
  part(dialog, "ballot-status").textContent = "";
  renderChoices(dialog);
  if (!dialog.open) dialog.showModal();
  step(dialog, false);
  // A short buzz where the tablet allows it (Android; iPadOS has no vibration API), and a tone.
  // (Before the first tap the browser refuses it and complains in the console: not asked then.)
  const touched = navigator.userActivation?.hasBeenActive ?? true;
  if (alert && touched && typeof navigator.vibrate === "function") navigator.vibrate([200, 100, 200]);
  if (alert) chime();
}

export function ballotClose(dialog) {
  poll = null;
  chosen = [];
  if (dialog?.open) dialog.close();
}

export function ballotPollId(dialog) {
  return dialog?.open && poll ? poll.id : null;
}

// The ballot was refused (closed meanwhile, not eligible...): say why and let them choose again.
export function ballotFailed(dialog, message) {
  if (!poll) return;
  step(dialog, false);
  part(dialog, "ballot-status").textContent = message;
}
