// A search box that hides the choices of a long checkbox list that do not match what is typed,
// without accents ("so tai chinh" finds "Sở Tài chính"); the checked ones always stay visible.
const fold = (text) =>
  text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();

for (const input of document.querySelectorAll("input[data-filter-list]")) {
  const list = document.querySelector(input.dataset.filterList);
  if (!list) continue;
  const choices = [...list.querySelectorAll("input[type=checkbox]")].map((box) => ({
    box,
    row: box.closest(".form-check") || box.closest("div") || box.parentElement,
    text: fold(box.closest("label")?.textContent || box.labels?.[0]?.textContent || ""),
  }));
  input.addEventListener("input", () => {
    const wanted = fold(input.value.trim());
    for (const { box, row, text } of choices) {
      row.hidden = Boolean(wanted) && !box.checked && !text.includes(wanted);
    }
  });
}
