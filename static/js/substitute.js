// Narrows the substitute list as the invitee types: a department's colleagues can run to dozens.
// Matching ignores Vietnamese marks ("nhung" finds "Nhung", "Nhưng") and đ/Đ.
(() => {
  const filter = document.getElementById("substitute-filter");
  const select = document.getElementById("id_substitute");
  if (!filter || !select) return;
  const plain = (text) =>
    text.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  const options = Array.from(select.options).slice(1);
  const keys = options.map((option) => plain(option.text));
  filter.addEventListener("input", () => {
    const words = plain(filter.value).split(/\s+/).filter(Boolean);
    let first = null;
    options.forEach((option, index) => {
      const shown = words.every((word) => keys[index].includes(word));
      option.hidden = !shown;
      if (shown && first === null) first = option;
    });
    // Keep the choice on a visible person, so what is sent is what is seen.
    const current = select.selectedOptions[0];
    if (current && current.hidden) select.value = first ? first.value : "";
    else if (!select.value && first && words.length) select.value = first.value;
  });
})();
