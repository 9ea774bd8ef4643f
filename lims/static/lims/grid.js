// The reading grid (calibration/_entry.html), used all day without a mouse:
// - Enter moves down the column (Shift+Enter up), Tab along the row (the browser's own), the
//   arrow keys between rows and, at the start or end of a cell's text, between cells;
//   Ctrl+S or Ctrl+Enter saves.
// - A block pasted from a spreadsheet (rows by line, cells by tab or ';') fills from the cell
//   right and down, or, when it does not fit, nothing is pasted and the page says why.
// - Each row's computed cells come from the server as one types (nothing is computed here).
// - Every cell is kept as typed: at once in this browser (localStorage), a moment later on the
//   server as a draft, so a closed tab or a lost connection loses nothing.
// Every message is the page's, translated by the server (data-msg-* attributes).
(function () {
  "use strict";

  function start() {
    const form = document.getElementById("grid");
    if (!form || !form.classList.contains("entry-grid")) return;
    const data = form.dataset;
    const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const statusLine = document.getElementById("entry-status");
    const messageLine = document.getElementById("entry-message");
    const discard = document.getElementById("entry-discard");
    const GRID_NAME = /^(rows|columns|sections|base|s\d+-(range|phase|rows)|p\d+-(ref|r\d+))$/;

    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
    }
    function status(text, bad) {
      statusLine.textContent = text;
      statusLine.classList.toggle("bad", Boolean(bad));
    }
    function message(text) {
      messageLine.textContent = text;
    }
    const rows = () => Array.from(form.querySelectorAll("tr[data-row]"));
    const rowOf = (cell) => cell.closest("tr[data-row]");
    const cellsOf = (row) => Array.from(row.querySelectorAll("[data-field]"));
    const readingsOf = (row) => Array.from(row.querySelectorAll("input[data-field]"));
    const isCell = (el) => el instanceof Element && el.matches("tr[data-row] [data-field]");
    const hasReadings = (row) => readingsOf(row).some((input) => input.value.trim() !== "");

    // --- Moving around --------------------------------------------------------------------
    function go(cell) {
      if (!cell) return false;
      cell.focus();
      if (cell.select) cell.select();
      return true;
    }
    function vertical(cell, step) {
      const all = rows();
      const field = cell.dataset.field;
      for (let i = all.indexOf(rowOf(cell)) + step; i >= 0 && i < all.length; i += step) {
        const target = all[i].querySelector('[data-field="' + field + '"]');
        if (target) return go(target);
      }
      return false;
    }
    function horizontal(cell, step) {
      const cells = cellsOf(rowOf(cell));
      return go(cells[cells.indexOf(cell) + step]);
    }
    function save() {
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }

    document.addEventListener("keydown", function (event) {
      const cell = event.target;
      const ctrl = event.ctrlKey || event.metaKey;
      if (ctrl && !event.altKey && (event.key === "s" || event.key === "S" || event.key === "Enter")) {
        const other = cell instanceof Element ? cell.closest("form") : null;
        if (other && other !== form && other.method === "post" && event.key !== "Enter") {
          event.preventDefault();
          other.requestSubmit();
          return;
        }
        if (!other || other === form) {
          event.preventDefault();
          save();
        }
        return;
      }
      if (!isCell(cell) || ctrl || event.altKey) return;
      const typing = cell.tagName === "INPUT";
      if (event.key === "Enter") {
        event.preventDefault();
        vertical(cell, event.shiftKey ? -1 : 1);
      } else if (typing && event.key === "ArrowDown") {
        event.preventDefault();
        vertical(cell, 1);
      } else if (typing && event.key === "ArrowUp") {
        event.preventDefault();
        vertical(cell, -1);
      } else if (typing && !event.shiftKey && event.key === "ArrowLeft") {
        if (cell.selectionStart === 0 && cell.selectionEnd === 0 && horizontal(cell, -1)) {
          event.preventDefault();
        }
      } else if (typing && !event.shiftKey && event.key === "ArrowRight") {
        const end = cell.value.length;
        if (cell.selectionStart === end && cell.selectionEnd === end && horizontal(cell, 1)) {
          event.preventDefault();
        }
      }
    });

    // --- Rows: numbering, adding ----------------------------------------------------------
    function renumber() {
      let index = 0;
      form.querySelectorAll("table[data-section]").forEach(function (table, k) {
        const body = table.tBodies[0];
        Array.from(body.rows).forEach(function (row) {
          row.dataset.row = index;
          row.querySelector("td.n").textContent = index + 1;
          cellsOf(row).forEach(function (cell) {
            const name = "p" + index + "-" + cell.dataset.field;
            cell.name = name;
            cell.id = name;
            cell.setAttribute("aria-describedby", name + "-msg");
            const slot = cell.parentNode.querySelector(".cell-msg");
            if (slot) slot.id = name + "-msg";
            cell.setAttribute(
              "aria-label",
              cell.dataset.field === "ref"
                ? fill(data.labelRef, { row: index + 1 })
                : fill(data.labelReading, { row: index + 1, n: Number(cell.dataset.field.slice(1)) + 1 })
            );
          });
          const summary = row.querySelector(".result");
          if (summary) {
            summary.id = "result-" + index;
            summary.dataset.testid = "result-" + index;
          }
          index += 1;
        });
        form.elements["s" + k + "-rows"].value = body.rows.length;
      });
      form.elements.rows.value = index;
    }
    function addRow(table) {
      const body = table.tBodies[0];
      const row = body.rows[body.rows.length - 1].cloneNode(true);
      row.removeAttribute("data-stale");
      cellsOf(row).forEach(function (cell) {
        cell.value = "";
        if (cell.tagName === "INPUT") cell.setAttribute("value", "");
        else cell.querySelectorAll("option[selected]").forEach((o) => o.removeAttribute("selected"));
        cell.removeAttribute("aria-invalid");
      });
      row.querySelectorAll(".cell-msg, .nominal").forEach((el) => (el.textContent = ""));
      row.querySelectorAll("td[data-cell]").forEach(function (td) {
        const summary = td.querySelector(".result");
        td.textContent = "";
        if (summary) {
          summary.textContent = "";
          td.appendChild(summary);
        }
      });
      body.appendChild(row);
      return row;
    }
    form.addEventListener("click", function (event) {
      const button = event.target.closest("[data-add-row]");
      if (!button) return;
      const table = form.querySelector('table[data-section="' + button.dataset.addRow + '"]');
      const row = addRow(table);
      renumber();
      changed();
      go(row.querySelector("input[data-field]"));
    });

    // --- Computed cells, from the server ----------------------------------------------------
    const timers = new WeakMap();
    const asked = new WeakMap();
    function schedulePreview(row, delay) {
      clearTimeout(timers.get(row));
      timers.set(row, setTimeout(() => preview(row), delay));
    }
    async function preview(row) {
      const index = row.dataset.row;
      const table = row.closest("table[data-section]");
      const body = new URLSearchParams();
      body.set("row", index);
      body.set("columns", form.elements.columns.value);
      body.set("range", table.dataset.range);
      body.set("phase", table.dataset.phase);
      cellsOf(row).forEach((cell) => body.set(cell.name, cell.value));
      const ask = (asked.get(row) || 0) + 1;
      asked.set(row, ask);
      let html;
      try {
        const response = await fetch(data.preview, {
          method: "POST",
          body: body,
          headers: { "X-CSRFToken": csrf },
          credentials: "same-origin",
        });
        if (!response.ok) return;
        html = await response.text();
      } catch (error) {
        return; // offline: the figures come back with the connection
      }
      if (asked.get(row) !== ask || row.dataset.row !== index) return; // a newer answer is coming
      const answer = document.createElement("template");
      answer.innerHTML = html;
      answer.content.querySelectorAll("td[data-cell]").forEach(function (td) {
        const old = row.querySelector('td[data-cell="' + td.dataset.cell + '"]');
        if (old) old.replaceWith(td);
      });
      const said = {};
      answer.content.querySelectorAll("[data-for]").forEach((li) => (said[li.dataset.for] = li.textContent));
      cellsOf(row).forEach(function (cell) {
        const slot = document.getElementById(cell.id + "-msg");
        const text = said[cell.name] || "";
        if (slot) slot.textContent = text;
        if (text) cell.setAttribute("aria-invalid", "true");
        else cell.removeAttribute("aria-invalid");
      });
      row.removeAttribute("data-stale");
    }

    // --- Drafts: this browser at once, the server a moment later -----------------------------
    let local = null;
    let changes = 0;
    let sending = false;
    let leaving = false;
    let draftTimer = null;
    let retryTimer = null;

    function snapshot() {
      const cells = {};
      for (const [name, value] of new FormData(form)) {
        if (GRID_NAME.test(name)) cells[name] = value;
      }
      return cells;
    }
    function readLocal() {
      try {
        return JSON.parse(localStorage.getItem(data.key));
      } catch (error) {
        return null;
      }
    }
    function writeLocal() {
      try {
        localStorage.setItem(data.key, JSON.stringify(local));
      } catch (error) {
        // full or forbidden: the server draft still keeps the cells
      }
    }
    function newRev() {
      return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
    }
    function remember(rev) {
      local.lineage.push(rev);
      if (local.lineage.length > 50) local.lineage.splice(0, local.lineage.length - 50);
      writeLocal();
    }
    function draftBody(rev) {
      const body = new FormData();
      body.set("csrfmiddlewaretoken", csrf);
      Object.keys(local.cells).forEach((name) => body.set(name, local.cells[name]));
      body.set("rev", rev);
      return body;
    }
    function changed() {
      changes += 1;
      local.cells = snapshot();
      local.rev = null; // what this browser holds is newer than the server's draft
      writeLocal();
      scheduleDraft(1500);
    }
    function scheduleDraft(delay) {
      clearTimeout(draftTimer);
      draftTimer = setTimeout(sendDraft, delay);
    }
    async function sendDraft() {
      clearTimeout(draftTimer);
      clearTimeout(retryTimer);
      if (leaving || local.rev !== null) return;
      if (sending) return scheduleDraft(500);
      if (!navigator.onLine) return status(data.msgOffline);
      sending = true;
      const at = changes;
      const rev = newRev();
      remember(rev);
      status(data.msgSaving);
      try {
        const response = await fetch(data.draft, {
          method: "POST",
          body: new URLSearchParams(draftBody(rev)),
          headers: { "X-CSRFToken": csrf, Accept: "application/json" },
          credentials: "same-origin",
        });
        const answer = await response.json().catch(() => ({}));
        if (response.ok) {
          if (changes === at) {
            local.rev = answer.stamp;
            writeLocal();
          }
          status(fill(data.msgSaved, { time: answer.time || "" }));
        } else {
          status(fill(data.msgRefused, { error: answer.error || response.status }), true);
        }
      } catch (error) {
        status(data.msgOffline);
        retryTimer = setTimeout(sendDraft, 10000);
      } finally {
        sending = false;
      }
      if (changes !== at) scheduleDraft(1500);
    }
    function restore(cells) {
      const count = parseInt(cells.sections, 10) || 0;
      let offset = 0;
      for (let k = 0; k < count; k++) {
        const key = cells["s" + k + "-range"] + "-" + cells["s" + k + "-phase"];
        const size = parseInt(cells["s" + k + "-rows"], 10) || 0;
        const table = form.querySelector('table[data-section="' + key + '"]');
        if (table) {
          while (table.tBodies[0].rows.length < size) addRow(table);
          const shown = Array.from(table.tBodies[0].rows);
          for (let t = 0; t < size; t++) {
            cellsOf(shown[t]).forEach(function (cell) {
              const name = "p" + (offset + t) + "-" + cell.dataset.field;
              if (name in cells) cell.value = cells[name];
            });
            shown[t].dataset.stale = "";
          }
        }
        offset += size;
      }
      renumber();
    }

    form.addEventListener("input", function (event) {
      if (!isCell(event.target)) return;
      schedulePreview(rowOf(event.target), 300);
      changed();
    });
    form.addEventListener("paste", function (event) {
      const cell = event.target;
      if (!isCell(cell) || cell.tagName !== "INPUT") return;
      const text = (event.clipboardData || window.clipboardData).getData("text/plain") || "";
      const lines = text.replace(/\r\n?/g, "\n").split("\n");
      while (lines.length > 1 && lines[lines.length - 1] === "") lines.pop(); // Excel ends with one
      const separator = lines.some((line) => line.includes("\t")) ? "\t" : ";";
      const block = lines.map((line) => line.split(separator).map((value) => value.trim()));
      if (block.length === 1 && block[0].length === 1) return; // one value pastes as usual
      event.preventDefault();
      const row = rowOf(cell);
      const sectionRows = Array.from(row.parentNode.rows);
      const first = sectionRows.indexOf(row);
      const column = readingsOf(row).indexOf(cell);
      const width = Math.max.apply(null, block.map((values) => values.length));
      const columnsLeft = readingsOf(row).length - column;
      const rowsLeft = sectionRows.length - first;
      if (width > columnsLeft) {
        return message(fill(data.msgColumns, { columns: width, left: columnsLeft }));
      }
      if (block.length > rowsLeft) {
        return message(fill(data.msgRows, { rows: block.length, left: rowsLeft }));
      }
      message("");
      block.forEach(function (values, r) {
        const target = sectionRows[first + r];
        const inputs = readingsOf(target);
        values.forEach((value, c) => (inputs[column + c].value = value));
        schedulePreview(target, 0);
      });
      changed();
    });
    form.addEventListener("submit", function () {
      leaving = true;
      clearTimeout(draftTimer);
      clearTimeout(retryTimer);
    });
    if (discard) {
      discard.addEventListener("submit", function (event) {
        if (!window.confirm(data.msgDiscard)) return event.preventDefault();
        leaving = true;
        try {
          localStorage.removeItem(data.key);
        } catch (error) {
          // nothing kept here
        }
      });
    }
    window.addEventListener("offline", () => status(data.msgOffline));
    window.addEventListener("online", () => sendDraft());
    window.addEventListener("pagehide", function () {
      if (leaving || !local || local.rev !== null || !navigator.sendBeacon) return;
      const rev = newRev();
      remember(rev);
      navigator.sendBeacon(data.draft, draftBody(rev));
    });

    // --- On load: this browser's cells if they are newer than what the server shows ---------
    const stamp = data.stamp;
    const kept = readLocal();
    if (
      stamp &&
      kept &&
      kept.rev === null &&
      Array.isArray(kept.lineage) &&
      kept.lineage.includes(stamp) &&
      kept.cells
    ) {
      local = kept;
      restore(kept.cells);
      local.cells = snapshot();
      writeLocal();
      status(data.msgLocal);
      scheduleDraft(0);
    } else {
      // The page is what the server holds (or, after a refused save, what was sent).
      local = { lineage: [stamp], rev: stamp ? stamp : null, cells: snapshot() };
      writeLocal();
      if (!stamp) scheduleDraft(0);
    }
    rows().forEach(function (row) {
      if (row.hasAttribute("data-stale") && hasReadings(row)) schedulePreview(row, 0);
    });
    const invalid = form.querySelector('tr[data-row] [aria-invalid="true"]');
    const empty = Array.from(form.querySelectorAll("tr[data-row] input[data-field]")).find(
      (input) => input.value === ""
    );
    if (invalid || empty) (invalid || empty).focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
