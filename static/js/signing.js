// Trình ký form: shows the signature rectangle (PDF points) the clerk typed or picked, so
// they can check it before sending. No inline script: the page's CSP forbids it.
"use strict";
(function () {
  const form = document.querySelector("form.signing-request");
  if (!form) return;
  const names = ["x", "y", "width", "height"];
  const out = form.querySelector(".signing-rect-value");
  const row = form.querySelector(".signing-rect");
  function show() {
    const values = names.map((n) => form.elements[n] && form.elements[n].value);
    if (values.every((v) => v)) {
      out.textContent = values.map((v) => Math.round(Number(v))).join(", ");
      row.hidden = false;
    }
  }
  form.addEventListener("change", show);
  show();
})();
