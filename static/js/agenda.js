// Drag and drop for the agenda editor: dropping an item among its siblings sends the new order
// of that level to the server, then reloads so numbering and forms stay in step. The buttons
// (↑ ↓) do the same without a mouse, which is what tablets use.
import { postForm } from "./socket.js";

const list = document.querySelector("ol.agenda.editable");

function siblingsOf(item) {
  return [...list.querySelectorAll("li.agenda-item")].filter(
    (li) => li.dataset.parent === item.dataset.parent);
}

if (list) {
  let dragged = null;
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("li.agenda-item");
    event.dataTransfer.effectAllowed = "move";
  });
  list.addEventListener("dragover", (event) => {
    const target = event.target.closest("li.agenda-item");
    if (dragged && target && target.dataset.parent === dragged.dataset.parent) {
      event.preventDefault();
    }
  });
  list.addEventListener("drop", async (event) => {
    const target = event.target.closest("li.agenda-item");
    if (!dragged || !target || target === dragged) return;
    event.preventDefault();
    const order = siblingsOf(dragged).map((li) => li.dataset.item).filter((id) => id !== dragged.dataset.item);
    const index = order.indexOf(target.dataset.item);
    order.splice(index, 0, dragged.dataset.item);
    const body = new URLSearchParams();
    order.forEach((id) => body.append("order", id));
    body.append("parent", dragged.dataset.parent);
    const response = await postForm(list.dataset.reorderUrl, body);
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      alert(data.error || gettext("Không sắp xếp được. Hãy tải lại trang."));
    }
    window.location.reload();
  });
}
