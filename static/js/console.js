// KyHop console helpers that live.js's handlers call: the confirmation step before an
// irreversible command. Kept apart from the socket code in live.js.

// One Bootstrap modal on the page (#confirm-modal) asks; the answer comes back as a promise.
// Without the modal (or Bootstrap), the browser's own dialog asks instead: never no question.
export function confirmStep(text) {
  const node = document.getElementById("confirm-modal");
  const Modal = window.bootstrap?.Modal;
  if (!node || !Modal) return Promise.resolve(window.confirm(text));
  node.querySelector("[data-role=confirm-text]").textContent = text;
  const modal = Modal.getOrCreateInstance(node);
  return new Promise((resolve) => {
    let answer = false;
    const yes = node.querySelector("[data-role=confirm-yes]");
    const onYes = () => { answer = true; modal.hide(); };
    yes.addEventListener("click", onYes, { once: true });
    node.addEventListener("hidden.bs.modal", () => {
      yes.removeEventListener("click", onYes);
      resolve(answer);
    }, { once: true });
    modal.show();
  });
}

// The command's fields without the question itself; "confirmed" tells the server it was asked.
export function confirmedFields(data) {
  const { confirm, ...rest } = data;
  return { ...rest, confirmed: "1" };
}
