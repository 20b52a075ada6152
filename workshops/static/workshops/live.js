/* Live sessions: follow the session's events, count timers down, keep an outbox.
 *
 * The page's root element [data-live] says where the events are (data-events; a script
 * may add a token in data-token), which fragment to fetch when something changes
 * (data-fragment) and the last event the page already shows (data-seq). The page sends
 * no token in the address: the stream reads the participant's cookie, so the token never
 * lands in a proxy's access log (scripts may still pass data-token / ?token=). Forms marked
 * [data-outbox] are queued in localStorage with their client key and sent until the
 * server has answered, so a contribution survives a network drop or a reload; the server
 * stores a key only once. Without this script every form still posts and redirects.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) { return; }
  var body = root.querySelector("[data-live-body]");
  var statusBox = root.querySelector("[data-live-status]");
  var role = root.getAttribute("data-role");
  var code = root.getAttribute("data-code");
  var outboxKey = "lerend-outbox-" + code;
  var refreshTimer = null;
  var pending = false;

  function say(text) {
    if (statusBox && text) { statusBox.textContent = text; }
  }

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* --- Timers: the server sends a deadline, we count down locally. --- */
  function two(n) { return n < 10 ? "0" + n : String(n); }
  function clock(seconds) {
    var s = Math.max(0, Math.round(seconds));
    return Math.floor(s / 60) + ":" + two(s % 60);
  }
  function tick() {
    var timers = root.querySelectorAll("[data-timer]");
    Array.prototype.forEach.call(timers, function (el) {
      var text = el.querySelector("[data-timer-text]");
      if (!text) { return; }
      var deadline = el.getAttribute("data-deadline");
      var remaining = el.getAttribute("data-remaining");
      if (deadline) {
        var left = (Date.parse(deadline) - Date.now()) / 1000;
        text.textContent = clock(left);
        el.classList.toggle("expired", left <= 0);
      } else if (remaining !== null) {
        text.textContent = clock(Number(remaining)) + " \u23F8";
      }
    });
  }
  window.setInterval(tick, 1000);
  tick();

  /* --- Re-rendering: fetch the page's fragment, but never under someone's typing. --- */
  function busy() {
    var active = document.activeElement;
    if (active && body.contains(active) &&
        (active.tagName === "TEXTAREA" || active.tagName === "SELECT" ||
         (active.tagName === "INPUT" && ["hidden", "checkbox", "submit"].indexOf(active.type) < 0))) {
      return true;
    }
    var fields = body.querySelectorAll("textarea, input[type=text], input[type=email]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) { return true; }
    }
    return false;
  }

  /* A field someone is editing: focused, or typed into and not yet sent. */
  function edited(node) {
    if (node.nodeType !== 1 || !/^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName)) { return false; }
    if (node === document.activeElement) { return true; }
    if (node.tagName === "SELECT") {
      return Array.prototype.some.call(node.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    if (node.type === "checkbox" || node.type === "radio") { return node.checked !== node.defaultChecked; }
    return node.value !== node.defaultValue;
  }

  /* Swap in the new fragment by morphing the DOM (idiomorph, vendored): only what changed
   * changes, and a field being edited, an open <details>, the focus and the scroll position
   * stay as they are. Without idiomorph, the old whole swap, held back while someone types. */
  function swap(html) {
    if (!window.Idiomorph) { body.innerHTML = html; return; }
    window.Idiomorph.morph(body, html, {
      morphStyle: "innerHTML",
      ignoreActiveValue: true,
      restoreFocus: true,
      callbacks: {
        beforeNodeMorphed: function (oldNode) { return !edited(oldNode); },
        beforeNodeRemoved: function (oldNode) { return !edited(oldNode); },
        beforeAttributeUpdated: function (name, element) {
          return !(name === "open" && element.tagName === "DETAILS");
        }
      }
    });
  }

  function refresh() {
    refreshTimer = null;
    if (!window.Idiomorph && busy()) { pending = true; return; }
    pending = false;
    fetch(root.getAttribute("data-fragment"), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.status === 286 || response.redirected) { window.location.reload(); return null; }
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (typeof html !== "string") { return; }
      swap(html);
      tick();
      fit();
    }).catch(function () { /* the next event or the manual reload will do */ });
  }

  function schedule(delay) {
    if (refreshTimer === null) { refreshTimer = window.setTimeout(refresh, delay); }
  }

  document.addEventListener("focusout", function () {
    window.setTimeout(function () { if (pending) { schedule(150); } }, 50);
  });

  /* --- Presenter: everything fits the projected screen; F full screen, B black. --- */
  function fit() {
    if (role !== "presenter") { return; }
    var page = document.documentElement;
    var parts = body.querySelectorAll("[data-fit]");
    Array.prototype.forEach.call(parts, function (el) { el.style.fontSize = ""; });
    var scale = 1;
    while (parts.length && page.scrollHeight > window.innerHeight && scale > 0.3) {
      scale -= 0.05;
      Array.prototype.forEach.call(parts, function (el) { el.style.fontSize = scale.toFixed(2) + "em"; });
    }
  }
  if (role === "presenter") {
    fit();
    window.addEventListener("resize", fit);
    window.addEventListener("load", fit);
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var key = event.key.toLowerCase();
      if (key === "f") {
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else if (page().requestFullscreen) { page().requestFullscreen(); }
      } else if (key === "b" || key === ".") {
        var black = root.querySelector("[data-blackout]");
        if (black) { black.hidden = !black.hidden; }
      }
    });
  }
  function page() { return document.documentElement; }

  /* The last step's "Next" opens the confirmation to end the session. */
  function openEnd() {
    var link = body.querySelector("a[data-key-next]");
    var box = body.querySelector("[data-end-confirm]");
    if (!link || !box) { return false; }
    box.open = true;
    var confirm = box.querySelector("button");
    if (confirm) { confirm.focus(); }
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-key-next]") : null;
    if (link && openEnd()) { event.preventDefault(); }
  });

  /* --- Console: a keyboard or a presentation clicker moves through the steps. --- */
  if (role === "facilitator") {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
      var target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
      var interactive = target && /^(BUTTON|A|SUMMARY)$/.test(target.tagName);
      var which = null;
      if (event.key === "ArrowRight" || event.key === "PageDown" || (event.key === " " && !interactive)) {
        which = "next";
      } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
        which = "back";
      }
      if (!which) { return; }
      if (which === "next" && openEnd()) { event.preventDefault(); return; }
      var button = body.querySelector("[data-key-" + which + "]");
      if (!button || button.disabled) { return; }
      event.preventDefault();
      button.click();
    });
  }

  /* --- Events --- */
  /* The event names come from the server's contract (workshops/contract.py). */
  var contract = document.getElementById("live-events");
  var names = contract ? JSON.parse(contract.textContent) : [];

  /* A participant applies notes from the event itself: a room of phones re-fetching
   * their page for every note of a burst would cost the server far more than the notes. */
  function applyNote(name, raw) {
    var data;
    try { data = JSON.parse(raw); } catch (e) { return false; }
    if (name === "note_deleted") {
      var gone = body.querySelector("[data-note-id=\"" + data.id + "\"]");
      if (gone) { gone.parentNode.removeChild(gone); }
      return true;
    }
    var list = body.querySelector("[data-notes=\"" + data.question + "\"][data-step=\"" + data.step + "\"]");
    if (!list) {
      /* A note of another question or step than this screen lists: nothing to show. A
       * screen that lists notes in another way (none marked) fetches its fragment. */
      return body.querySelector("[data-notes]") !== null;
    }
    var onlyGroup = list.getAttribute("data-group");
    if (onlyGroup && String(data.group) !== onlyGroup) { return true; }
    var item = list.querySelector("[data-note-id=\"" + data.id + "\"]");
    if (item) {
      var span = item.querySelector("span");
      (span || item).textContent = data.text;
      return true;
    }
    item = document.createElement("li");
    item.className = "note";
    item.setAttribute("data-note-id", data.id);
    var text = document.createElement("span");
    text.textContent = data.text;
    item.appendChild(text);
    list.appendChild(item);
    return true;
  }

  function onEvent(name, event) {
    if (role === "participant" && (name === "note" || name === "note_deleted")) {
      if (applyNote(name, event.data)) { return; }
    }
    if (name === "ended") {
      window.setTimeout(function () { window.location.reload(); },
        role === "participant" ? Math.random() * 2000 : 200);
      return;
    }
    if (role === "participant" && (name === "votes" || name === "actions")) { return; }
    // Spread a room full of phones over a second instead of all fetching at once.
    schedule(role === "participant" ? 150 + Math.random() * 850 : 250);
  }

  function connect() {
    if (!window.EventSource || !root.getAttribute("data-events")) { return; }
    var params = [];
    var token = root.getAttribute("data-token");
    if (token) { params.push("token=" + encodeURIComponent(token)); }
    var seq = root.getAttribute("data-seq");
    if (seq) { params.push("last_event_id=" + encodeURIComponent(seq)); }
    var url = root.getAttribute("data-events") + (params.length ? "?" + params.join("&") : "");
    var source = new EventSource(url);
    names.forEach(function (name) {
      source.addEventListener(name, function (event) { onEvent(name, event); });
    });
    source.addEventListener("open", function () { root.classList.remove("live-offline"); });
    source.addEventListener("error", function () {
      root.classList.add("live-offline");
      if (source.readyState === 2) {
        // Refused (the session ended, or the code is gone): look at the page once more,
        // which shows the summary after the end, and try the stream again later.
        schedule(300);
        window.setTimeout(connect, 15000);
      }
    });
  }
  connect();

  /* --- Outbox --- */
  function loadBox() {
    try { return JSON.parse(window.localStorage.getItem(outboxKey) || "[]"); } catch (e) { return []; }
  }
  function saveBox(box) {
    try { window.localStorage.setItem(outboxKey, JSON.stringify(box)); } catch (e) { /* private mode */ }
  }

  var flushing = false;
  function flush() {
    if (flushing) { return; }
    var box = loadBox();
    if (!box.length) { return; }
    flushing = true;
    var item = box[0];
    fetch(item.url, {
      method: "POST",
      body: item.body,
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.status >= 500 || response.status === 429 || response.status === 0) {
        throw new Error("retry");
      }
      saveBox(loadBox().filter(function (other) { return other.id !== item.id; }));
      flushing = false;
      if (!response.ok) {
        return response.json().then(function (data) { say(data.detail); }, function () {
          say(root.getAttribute("data-msg-failed"));
        }).then(function () { schedule(100); flush(); });
      }
      say(root.getAttribute("data-msg-sent"));
      schedule(100);
      flush();
      return null;
    }).catch(function () {
      flushing = false;
      say(root.getAttribute("data-msg-offline"));
      window.setTimeout(flush, 4000);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-outbox")) { return; }
    event.preventDefault();
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var box = loadBox();
    box.push({ id: uuid4(), url: form.action, body: new URLSearchParams(data).toString() });
    saveBox(box);
    var key = form.querySelector("input[name=key]");
    if (key) { key.value = uuid4(); }
    var what = form.querySelector("input[name=what]");
    Array.prototype.forEach.call(form.querySelectorAll("textarea, input[type=text], input[type=email]"),
      function (field) {
        if (what && what.value === "note") { field.value = ""; }
        field.defaultValue = field.value;
      });
    if (submitter && submitter.hasAttribute("aria-pressed")) {
      Array.prototype.forEach.call(form.querySelectorAll("[aria-pressed]"), function (button) {
        button.setAttribute("aria-pressed", button === submitter ? "true" : "false");
      });
    }
    flush();
  });
  window.addEventListener("online", flush);
  window.setInterval(flush, 5000);
  flush();
}());
