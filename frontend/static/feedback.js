// Keyboard navigation of the feedback inbox: j/k (or arrows) move between rows, x toggles the row's checkbox,
// Enter opens the item. Without JS the inbox works with links and checkboxes alone.
document.addEventListener("keydown", (event) => {
  const table = document.querySelector("[data-keynav]");
  if (!table || event.target.closest("input, select, textarea") && event.target.type !== "checkbox") return;
  const rows = [...table.querySelectorAll("tbody tr")];
  if (!rows.length) return;
  const current = rows.indexOf(document.activeElement.closest("tr"));
  const move = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 }[event.key];
  if (move) {
    event.preventDefault();
    const next = rows[Math.max(0, Math.min(rows.length - 1, current < 0 ? 0 : current + move))];
    next.focus();
  } else if (event.key === "x" && current >= 0) {
    event.preventDefault();
    const box = rows[current].querySelector("input[type=checkbox]");
    box.checked = !box.checked;
  } else if (event.key === "Enter" && current >= 0 && event.target === rows[current]) {
    window.location.href = rows[current].dataset.href;
  }
});
