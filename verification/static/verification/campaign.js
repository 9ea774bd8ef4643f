// The campaign entry page (verification/campaign_entry.html): one row per instrument, typed
// with the keyboard alone, that keeps working when the connection drops.
// - Tab or Enter moves along the row, Shift+Tab or Shift+Enter back, the up and down arrows
//   between rows; Enter on the last cell of a row, or Ctrl+S (Ctrl+Enter), sends the row.
// - A new row appears as soon as the last one is typed in, prefilled from it (type, kind, maker,
//   model, characteristics): most scales of a market are alike.
// - The readings asked (and their labels: loads, positions) and the verdict come from the server
//   (nothing is computed here); layouts already seen are kept in this browser, so rows like the
//   ones before can be typed offline; the verdict then says it will be computed when sent.
// - A finished row gets its key (a UUID) at once and goes into a queue kept in localStorage; the
//   queue is sent in order, one row per POST, and retried every few seconds and when the
//   connection returns. The server records a key once, so a row sent twice is one verification.
//   A refused row (400) comes back with its messages by field and waits to be corrected.
// - A reload restores the rows from this browser and from the server.
// The sign page (campaign_sign.html) is also handled here: it signs in parts, with progress.
// Every message is the page's, translated by the server (data-msg-* attributes).
(function () {
  "use strict";

  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16)); // a page served over plain http
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function localDay() {
    const d = new Date();
    const two = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  function entry() {
    const form = document.getElementById("campaign-grid");
    if (!form) return;
    const msg = form.dataset;
    const setup = JSON.parse(document.getElementById("campaign-setup").textContent);
    const pageToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    // Read the CSRF token at each send: logging in again (in another tab) rotates it, and the
    // rows queued meanwhile must go with the new one.
    function csrf() {
      const found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      return found ? decodeURIComponent(found[1]) : pageToken;
    }
    const body = form.querySelector("tbody");
    const statusLine = document.getElementById("campaign-status");
    const messageLine = document.getElementById("campaign-message");
    const LAYOUTS = "lims-campaign-layouts";
    const types = {};
    setup.types.forEach((t) => (types[t.id] = t));
    const labels = {};
    form.querySelectorAll("th[data-label]").forEach((th) => (labels[th.dataset.label] = th.textContent.trim()));
    const IDENTITY = ["owner", "stall", "type", "kind", "manufacturer", "model", "serial"];
    const CARRIED = ["type", "kind", "manufacturer", "model"];

    // --- What this browser keeps ------------------------------------------------------------
    function read(key) {
      try {
        return JSON.parse(localStorage.getItem(key));
      } catch (error) {
        return null;
      }
    }
    function write(key, value) {
      try {
        localStorage.setItem(key, JSON.stringify(value));
      } catch (error) {
        message(String(error)); // full or forbidden: the rows still go to the server when online
      }
    }
    const kept = read(msg.key);
    let rows = kept && Array.isArray(kept.rows) ? kept.rows : [];
    const layouts = Object.assign(read(LAYOUTS) || {}, setup.layouts);
    let saveTimer = null;
    function saveNow() {
      clearTimeout(saveTimer);
      write(msg.key, { rows: rows });
    }
    function saveSoon() {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(saveNow, 300);
    }
    function keepLayout(key, layout) {
      layouts[key] = layout;
      const stored = read(LAYOUTS) || {};
      stored[key] = layout;
      const names = Object.keys(stored);
      if (names.length > 60) names.slice(0, names.length - 60).forEach((name) => delete stored[name]);
      write(LAYOUTS, stored);
    }

    // --- Rows: data -------------------------------------------------------------------------
    const fieldsOf = (row) => (types[row.type] ? setup.fields[types[row.type].rules] || [] : []);
    function layoutKey(row) {
      if (!types[row.type]) return "";
      const values = fieldsOf(row).map((f) => String(row.spec[f.key] || "").trim());
      return [types[row.type].rules].concat(values).join("|");
    }
    function blankRow(after) {
      const row = {
        id: uuid4(),
        key: null,
        status: "draft",
        owner: "",
        stall: "",
        type: setup.types.length ? setup.types[0].id : "",
        kind: "periodic",
        manufacturer: "",
        model: "",
        serial: "",
        spec: {},
        cells: {},
        mark: "",
        errors: {},
        verdict: null,
        answer: null,
      };
      if (after) {
        CARRIED.forEach((name) => (row[name] = after[name]));
        row.spec = Object.assign({}, after.spec);
      }
      fieldsOf(row).forEach(function (f) {
        if (!(f.key in row.spec)) row.spec[f.key] = f.default || "";
      });
      return row;
    }
    const isEmpty = (row) =>
      !["owner", "stall", "serial", "mark"].some((name) => String(row[name] || "").trim()) &&
      !Object.values(row.cells).some((value) => String(value).trim());
    const locked = (row) => row.status === "queued" || row.status === "sent";
    const rowById = (id) => rows.find((row) => row.id === id);
    const trOf = (row) => body.querySelector('tr[data-id="' + row.id + '"]');
    const payload = (row) => ({
      key: row.key,
      type: row.type,
      kind: row.kind,
      owner: row.owner,
      stall: row.stall,
      manufacturer: row.manufacturer,
      model: row.model,
      serial: row.serial,
      spec: row.spec,
      cells: row.cells,
      mark: row.mark,
      verified_on: row.verified_on,
    });

    // --- Rows: on the page ------------------------------------------------------------------
    function element(tag, attrs, text) {
      const el = document.createElement(tag);
      Object.keys(attrs || {}).forEach((name) => el.setAttribute(name, attrs[name]));
      if (text !== undefined) el.textContent = text;
      return el;
    }
    function cellLabel(tr, what) {
      return fill(msg.cell, { row: Number(tr.dataset.n), what: what });
    }
    function input(tr, field, value, what, extra) {
      const box = element("input", Object.assign({ type: "text", autocomplete: "off", spellcheck: "false" }, extra || {}));
      box.dataset.field = field;
      box.value = value || "";
      box.setAttribute("aria-label", cellLabel(tr, what));
      return box;
    }
    function select(tr, field, value, options, what) {
      const box = element("select");
      box.dataset.field = field;
      options.forEach(function (option) {
        const o = element("option", { value: option.id }, option.name);
        if (String(option.id) === String(value)) o.selected = true;
        box.appendChild(o);
      });
      box.setAttribute("aria-label", cellLabel(tr, what));
      return box;
    }
    function slot(name) {
      return element("span", { class: "cell-msg", "data-msg-for": name });
    }
    function specCell(tr, row) {
      const td = element("td", { class: "spec", "data-cell": "spec" });
      fieldsOf(row).forEach(function (f) {
        const label = element("label", { class: "spec-field", title: f.label });
        label.appendChild(element("span", { class: "spec-label" }, f.short || f.label));
        const box = f.choices.length
          ? select(tr, "spec." + f.key, row.spec[f.key] || f.default, (f.required ? [] : [{ id: "", name: "—" }]).concat(f.choices.map((c) => ({ id: c, name: c }))), f.label)
          : input(tr, "spec." + f.key, row.spec[f.key], f.label, { inputmode: "decimal", class: "num" });
        if (f.required) box.dataset.need = "";
        label.appendChild(box);
        td.appendChild(label);
      });
      td.appendChild(slot("spec"));
      return td;
    }
    function readingsCell(tr, row) {
      const td = element("td", { class: "readings", "data-cell": "readings" });
      const layout = layouts[layoutKey(row)];
      if (!layout) {
        td.appendChild(element("span", { class: "muted layout-note" }, navigator.onLine ? msg.needSpec : msg.noLayout));
      } else {
        let group = null;
        layout.forEach(function (cell) {
          if (!group || group.dataset.test !== cell.test) {
            group = element("span", { class: "test", "data-test": cell.test });
            group.appendChild(element("span", { class: "test-title" }, cell.title));
            td.appendChild(group);
          }
          const box = input(tr, "cell." + cell.name, row.cells[cell.name], cell.title + " " + cell.label, {
            inputmode: "decimal",
            class: "num",
            placeholder: cell.label,
            title: cell.title + ": " + cell.label,
            "data-label": cell.title + ": " + cell.label,
          });
          if (cell.required) box.dataset.need = "";
          group.appendChild(box);
        });
      }
      td.appendChild(slot("readings"));
      return td;
    }
    function renderRow(row, index) {
      const tr = element("tr", { "data-id": row.id });
      tr.dataset.n = index + 1;
      tr.appendChild(element("td", { class: "n" }, String(index + 1)));
      IDENTITY.forEach(function (name) {
        const td = element("td", { "data-cell": name });
        let box;
        if (name === "type") box = select(tr, name, row.type, setup.types, labels.type);
        else if (name === "kind") box = select(tr, name, row.kind, setup.kinds, labels.kind);
        else box = input(tr, name, row[name], labels[name]);
        if (name === "owner" || name === "serial") box.dataset.need = "";
        td.appendChild(box);
        td.appendChild(slot(name));
        tr.appendChild(td);
      });
      tr.appendChild(specCell(tr, row));
      tr.appendChild(readingsCell(tr, row));
      const markTd = element("td", { "data-cell": "mark" });
      markTd.appendChild(input(tr, "mark", row.mark, labels.mark, { class: "mark" }));
      markTd.appendChild(slot("mark"));
      tr.appendChild(markTd);
      const verdict = element("td", { class: "verdict", "data-cell": "verdict" });
      verdict.appendChild(element("span", { class: "verdict-text", "data-testid": "verdict-" + (index + 1) }));
      verdict.appendChild(slot("__all__"));
      tr.appendChild(verdict);
      show(row, tr);
      return tr;
    }
    // Only what changed is written: a cell typed in must not make the browser lay out the
    // whole table again at every key.
    function setText(el, text) {
      if (el.textContent !== text) el.textContent = text;
    }
    function setAttr(el, name, value) {
      if (value === null) {
        if (el.hasAttribute(name)) el.removeAttribute(name);
      } else if (el.getAttribute(name) !== value) {
        el.setAttribute(name, value);
      }
    }
    function show(row, tr) {
      tr = tr || trOf(row);
      if (!tr) return;
      setAttr(tr, "data-status", row.status);
      const off = locked(row);
      tr.querySelectorAll("[data-field]").forEach(function (box) {
        if (box.disabled !== off) box.disabled = off;
      });
      tr.querySelectorAll(".cell-msg").forEach(function (slotEl) {
        const text = (row.errors[slotEl.dataset.msgFor] || []).join(" ");
        setText(slotEl, text);
        slotEl.closest("td").querySelectorAll("[data-field]").forEach((box) => setAttr(box, "aria-invalid", text ? "true" : null));
      });
      const marks = (row.verdict && row.verdict.cells) || {};
      tr.querySelectorAll('[data-field^="cell."]').forEach(function (box) {
        const mark = marks[box.dataset.field.slice(5)];
        setAttr(box, "data-over", mark && !mark.passed ? "" : null);
        const shown = mark && mark.error !== undefined && mark.mpe ? ": " + mark.error + " / ±" + mark.mpe : "";
        setAttr(box, "title", box.dataset.label + shown);
      });
      const failed = row.verdict && row.verdict.passed === false;
      setAttr(tr.querySelector('[data-field="mark"]'), "placeholder", failed ? msg.noMark : "");
      setText(tr.querySelector(".verdict-text"), verdictText(row));
      const red = Boolean(failed || (row.answer && row.answer.passed === false));
      if (tr.classList.contains("failed") !== red) tr.classList.toggle("failed", red);
    }
    function verdictText(row) {
      const pass = row.answer ? row.answer.passed : row.verdict ? row.verdict.passed : null;
      let text = "";
      if (pass === true) text = msg.pass;
      else if (pass === false) {
        const failed = (row.answer && row.answer.failed) || (row.verdict && row.verdict.failed) || [];
        text = fill(msg.fail, { tests: failed.join(", ") });
      }
      else if (row.missing) text = fill(msg.toGo, { n: row.missing });
      else if (!navigator.onLine && row.status !== "sent" && !isEmpty(row)) text = msg.offlineVerdict;
      if (row.status === "sent") text += " · " + fill(msg.recorded, { id: row.answer.id }) + (row.answer.number ? " · " + row.answer.number : "");
      else if (row.status === "queued") text += (text ? " · " : "") + (sending === row.id ? msg.sending : msg.queued);
      return text;
    }
    function renderAll() {
      body.textContent = "";
      rows.forEach((row, index) => body.appendChild(renderRow(row, index)));
    }
    function ensureTrailingRow() {
      const last = rows[rows.length - 1];
      if (!last || !isEmpty(last) || locked(last)) {
        const row = blankRow(rows.filter((r) => !isEmpty(r)).slice(-1)[0]);
        rows.push(row);
        body.appendChild(renderRow(row, rows.length - 1));
        return row;
      }
      return last;
    }
    function rerenderPart(row, part) {
      const tr = trOf(row);
      const old = tr.querySelector('td[data-cell="' + part + '"]');
      const focused = document.activeElement && old.contains(document.activeElement) ? document.activeElement.dataset.field : null;
      const fresh = part === "spec" ? specCell(tr, row) : readingsCell(tr, row);
      old.replaceWith(fresh);
      show(row, tr);
      if (focused) {
        const again = fresh.querySelector('[data-field="' + focused + '"]');
        if (again) again.focus();
      }
    }

    // --- Typing -----------------------------------------------------------------------------
    function readField(row, box) {
      const field = box.dataset.field;
      if (field.startsWith("spec.")) row.spec[field.slice(5)] = box.value;
      else if (field.startsWith("cell.")) row.cells[field.slice(5)] = box.value;
      else row[field] = box.value;
      return field;
    }
    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
    function onChange(event) {
      const box = event.target;
      if (!box.dataset || !box.dataset.field) return;
      const tr = box.closest("tr[data-id]");
      const row = rowById(tr.dataset.id);
      if (!row || locked(row)) return;
      const field = readField(row, box);
      if (row.status === "refused") {
        delete row.errors[field.split(".")[0] === "cell" ? "readings" : field.split(".")[0]];
        delete row.errors[field];
      }
      const before = row.layoutKey;
      if (field === "type") {
        fieldsOf(row).forEach(function (f) {
          if (!(f.key in row.spec) || row.spec[f.key] === "") row.spec[f.key] = f.default || "";
        });
        rerenderPart(row, "spec");
      }
      row.layoutKey = layoutKey(row);
      if (field === "type" || (field.startsWith("spec.") && before !== row.layoutKey)) {
        row.verdict = null;
        rerenderPart(row, "readings"); // the layout kept for these characteristics, or a note
      }
      if (row.verdict && field !== "mark") row.verdict = null;
      if (!isEmpty(row) && rows[rows.length - 1] === row) ensureTrailingRow();
      show(row, tr);
      saveSoon();
      if (field !== "mark") schedulePreview(row, field.startsWith("spec.") || field === "type" ? 150 : 250);
    }

    // --- Moving around ----------------------------------------------------------------------
    const focusables = (tr) => Array.from(tr.querySelectorAll("[data-field]")).filter((box) => !box.disabled);
    function go(box) {
      if (!box) return false;
      box.focus();
      if (box.select) box.select();
      return true;
    }
    function firstOpenCell() {
      const open = rows.find((row) => !locked(row) && row.status === "refused") || rows[rows.length - 1];
      return trOf(open).querySelector('[data-field="owner"]');
    }
    form.addEventListener("keydown", function (event) {
      const box = event.target;
      if (!box.dataset || !box.dataset.field) return;
      const tr = box.closest("tr[data-id]");
      const row = rowById(tr.dataset.id);
      const ctrl = event.ctrlKey || event.metaKey;
      if (ctrl && !event.altKey && (event.key === "s" || event.key === "S" || event.key === "Enter")) {
        event.preventDefault();
        finish(row);
        return;
      }
      if (ctrl || event.altKey) return;
      const cells = focusables(tr);
      const at = cells.indexOf(box);
      if (event.key === "Enter") {
        event.preventDefault();
        if (event.shiftKey) go(cells[at - 1]);
        else if (at === cells.length - 1) finish(row);
        else go(cells[at + 1]);
      } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && box.tagName === "INPUT") {
        event.preventDefault();
        const all = Array.from(body.rows);
        const step = event.key === "ArrowDown" ? 1 : -1;
        for (let i = all.indexOf(tr) + step; i >= 0 && i < all.length; i += step) {
          const target = all[i].querySelector('[data-field="' + box.dataset.field + '"]');
          if (target && !target.disabled) return void go(target);
        }
      }
    });
    document.addEventListener("keydown", function (event) {
      // Ctrl+S outside a cell must not save the page as a file
      if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) event.preventDefault();
    });

    // --- Finishing a row: key, queue, next row ----------------------------------------------
    function missingOf(row) {
      const missing = [];
      if (!row.owner.trim() && !row.stall.trim()) missing.push(msg.ownerOrStall);
      if (!row.serial.trim()) missing.push(labels.serial);
      fieldsOf(row).forEach(function (f) {
        if (f.required && !String(row.spec[f.key] || "").trim()) missing.push(f.label);
      });
      const layout = layouts[layoutKey(row)];
      if (!layout || layout.some((cell) => cell.required && !String(row.cells[cell.name] || "").trim())) {
        missing.push(msg.readings);
      }
      return missing;
    }
    function finish(row) {
      if (!row || locked(row)) return;
      if (isEmpty(row)) return void go(firstOpenCell());
      const missing = missingOf(row);
      if (missing.length) {
        message(fill(msg.missing, { what: missing.join(", ") }));
        go(focusables(trOf(row)).find((box) => "need" in box.dataset && !box.value.trim()));
        return;
      }
      message("");
      if (!row.key) row.key = uuid4();
      if (!row.verified_on) row.verified_on = localDay();
      row.status = "queued";
      row.errors = {};
      saveNow();
      show(row);
      status();
      const next = ensureTrailingRow();
      if (isEmpty(next) && next !== row) {
        CARRIED.forEach((name) => (next[name] = row[name]));
        next.spec = Object.assign({}, row.spec);
        next.layoutKey = layoutKey(next);
        trOf(next).replaceWith(renderRow(next, rows.indexOf(next)));
      }
      go(trOf(next).querySelector('[data-field="owner"]'));
      pump();
    }

    // --- Sending ----------------------------------------------------------------------------
    let sending = null;
    let loginLost = false;
    async function pump() {
      if (sending) return;
      if (!navigator.onLine) return void status(); // surely offline: the "online" event resumes
      for (;;) {
        const row = rows.find((r) => r.status === "queued");
        if (!row) break;
        sending = row.id;
        show(row);
        let response;
        try {
          response = await fetch(msg.rows, {
            method: "POST",
            body: JSON.stringify(payload(row)),
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
            credentials: "same-origin",
            redirect: "manual",
          });
        } catch (error) {
          response = null; // offline: it waits in the queue
        }
        sending = null;
        if (!response || response.type === "opaqueredirect" || response.status >= 500 || response.status === 0) {
          loginLost = Boolean(response && response.type === "opaqueredirect");
          show(row);
          break;
        }
        const answer = await response.json().catch(() => null);
        // A refusal that is no answer of ours (a 403 page: the session or its token changed)
        // keeps the row queued and says to log in again; the next try reads the new token.
        loginLost = !answer && response.status === 403;
        if (!answer) {
          show(row);
          break;
        }
        if (response.ok) {
          row.status = "sent";
          row.answer = answer;
          row.errors = {};
        } else {
          row.status = "refused";
          row.errors = answer.errors || { __all__: [String(response.status)] };
        }
        saveNow();
        show(row);
      }
      status();
    }
    function status() {
      const waiting = rows.filter((r) => r.status === "queued").length;
      const refused = rows.filter((r) => r.status === "refused").length;
      const parts = [];
      if (loginLost) parts.push(msg.login);
      const offline = !navigator.onLine || loginLost;
      if (waiting === 1) parts.push(offline ? msg.waitingOfflineOne : msg.waitingOne);
      else if (waiting) parts.push(fill(offline ? msg.waitingOffline : msg.waiting, { n: waiting }));
      if (refused === 1) parts.push(msg.refusedOne);
      else if (refused) parts.push(fill(msg.refused, { n: refused }));
      if (!waiting && !refused && rows.some((r) => r.status === "sent")) parts.push(msg.allSent);
      setText(statusLine, parts.join(" · "));
      statusLine.classList.toggle("bad", Boolean(waiting || refused || loginLost));
    }
    function message(text) {
      setText(messageLine, text);
    }
    setInterval(function () {
      if (rows.some((r) => r.status === "queued")) pump();
      else status();
    }, 4000);
    window.addEventListener("online", function () {
      rows.forEach(function (row) {
        if (!locked(row) && !isEmpty(row)) {
          if (!layouts[layoutKey(row)]) rerenderPart(row, "readings");
          schedulePreview(row, 0);
        }
      });
      pump();
    });
    window.addEventListener("offline", function () {
      status();
      rows.forEach((row) => show(row));
    });
    window.addEventListener("pagehide", saveNow);

    // --- Layout and verdict, from the server ------------------------------------------------
    const timers = {};
    const asked = {};
    function schedulePreview(row, delay) {
      clearTimeout(timers[row.id]);
      timers[row.id] = setTimeout(() => preview(row), delay);
    }
    async function preview(row) {
      if (locked(row) || !types[row.type]) return;
      if (!navigator.onLine) return void show(row); // "will be computed when sent"
      const ask = (asked[row.id] || 0) + 1;
      asked[row.id] = ask;
      const keyAsked = layoutKey(row);
      let answer;
      try {
        const response = await fetch(msg.preview, {
          method: "POST",
          body: JSON.stringify({ type: row.type, kind: row.kind, spec: row.spec, cells: row.cells }),
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
          credentials: "same-origin",
          redirect: "manual",
        });
        if (!response.ok) return;
        answer = await response.json();
      } catch (error) {
        show(row); // offline: "will be computed when sent"
        return;
      }
      if (asked[row.id] !== ask || locked(row)) return; // a newer answer is coming
      const errors = answer.errors || {};
      row.errors = Object.assign({}, row.status === "refused" ? row.errors : {}, { spec: errors.spec || [], readings: errors.readings || [], type: errors.type || [] });
      if (answer.layout) {
        const fresh = !layouts[answer.key];
        if (fresh) keepLayout(answer.key, answer.layout);
        if (keyAsked === layoutKey(row) && (fresh || !trOf(row).querySelector('[data-field^="cell."]'))) rerenderPart(row, "readings");
      }
      row.missing = answer.missing || 0;
      row.verdict = answer.verdict || null;
      show(row);
    }

    // --- On load: this browser's rows, then the server's ------------------------------------
    const known = {};
    rows.forEach(function (row) {
      if (row.key) known[row.key] = row;
    });
    const fromServer = [];
    setup.rows.forEach(function (server) {
      const row = known[server.key];
      if (row) {
        row.status = "sent"; // a row whose answer was lost on the way back
        row.answer = { key: server.key, id: server.id, passed: server.passed, state: server.state, number: server.number, mark: server.mark };
      } else {
        fromServer.push(Object.assign(blankRow(null), server, {
          id: uuid4(),
          status: "sent",
          answer: { key: server.key, id: server.id, passed: server.passed, state: server.state, number: server.number, mark: server.mark },
          errors: {},
        }));
      }
    });
    const firstLocal = rows.findIndex((row) => !locked(row));
    rows.splice(firstLocal < 0 ? rows.length : firstLocal, 0, ...fromServer);
    rows = rows.filter((row, index) => !isEmpty(row) || locked(row) || index === rows.length - 1);
    renderAll();
    ensureTrailingRow();
    saveNow();
    status();
    rows.forEach(function (row) {
      if (!locked(row) && !isEmpty(row)) schedulePreview(row, 0);
    });
    go(firstOpenCell());
    pump();
    // Reopening this page without a connection needs a copy of it: a service worker keeps one
    // (only where the browser allows one: HTTPS, or localhost).
    if ("serviceWorker" in navigator && msg.worker) {
      navigator.serviceWorker
        .register(msg.worker)
        .then(() => navigator.serviceWorker.ready)
        .then(function (registration) {
          const files = Array.from(document.querySelectorAll("link[rel=stylesheet][href], script[src]"), (el) => el.href || el.src);
          registration.active.postMessage({ keep: [window.location.pathname].concat(files) });
        })
        .catch(() => null);
    }
  }

  // --- The sign page: the rows signed in parts, with progress --------------------------------
  function sign() {
    const form = document.querySelector("form[data-sign]");
    if (!form) return;
    const msg = form.dataset;
    const line = document.getElementById("sign-status");
    const list = document.getElementById("sign-refusals");
    const totalText = form.querySelector("[data-total]");
    const total = totalText ? Number(totalText.dataset.total) : 0;
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      list.textContent = "";
      let after = 0;
      let done = 0;
      let signed = 0;
      let refused = 0;
      for (;;) {
        const data = new FormData(form);
        data.set("after", after);
        data.set("limit", "25");
        let answer;
        try {
          const response = await fetch(form.action || window.location.href, {
            method: "POST",
            body: data,
            headers: { Accept: "application/json" },
            credentials: "same-origin",
          });
          answer = await response.json();
          if (!response.ok) {
            line.textContent = answer.error || String(response.status);
            break;
          }
        } catch (error) {
          line.textContent = msg.msgOffline;
          break;
        }
        answer.rows.forEach(function (row) {
          done += 1;
          const shown = document.querySelector('tr[data-pk="' + row.pk + '"] [data-number]');
          if (shown) shown.textContent = row.number || "—";
          if (row.refusal) {
            refused += 1;
            const li = document.createElement("li");
            li.className = "error";
            li.textContent = row.serial + " · " + row.owner + ": " + row.refusal;
            list.appendChild(li);
          } else {
            signed += 1;
          }
        });
        line.textContent = fill(msg.msgProgress, { done: done, total: Math.max(total, done + answer.remaining) });
        if (!answer.remaining) {
          line.textContent = fill(msg.msgDone, { signed: signed, refused: refused });
          break;
        }
        after = answer.last;
      }
      form.querySelector("input[type=password]").value = "";
      button.disabled = false;
    });
  }

  function start() {
    entry();
    sign();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
