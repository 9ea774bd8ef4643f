// Keyboard use of the reading grid: Enter moves down a column as in a spreadsheet
// (Shift+Enter up); Tab moves along the row as the browser does.
document.addEventListener("keydown", function (event) {
  const cell = event.target;
  if (event.key !== "Enter" || !cell.matches("table.entry input")) return;
  event.preventDefault();
  const row = cell.closest("tr");
  const column = Array.from(row.querySelectorAll("input, select")).indexOf(cell);
  const next = event.shiftKey ? row.previousElementSibling : row.nextElementSibling;
  if (next) {
    const target = next.querySelectorAll("input, select")[column];
    if (target) { target.focus(); if (target.select) target.select(); }
  }
});
