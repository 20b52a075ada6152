/* The scan's answer form: keep answers on this device until they are sent, show progress,
   send once. The form works without this script as a plain form. */
(function () {
  "use strict";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  var store = storage();
  var done = document.querySelector("[data-scan-done]");
  if (done && store) {
    store.removeItem(done.getAttribute("data-scan-done"));
  }

  var form = document.querySelector("form[data-scan-form]");
  if (!form) { return; }
  var key = form.getAttribute("data-storage-key");
  // The device key: kept in localStorage as well as in the cookie, so that clearing one
  // still lets this device change its answers instead of adding a second response.
  var device = form.querySelector("[data-device-key]");
  if (device && store) {
    var kept = null;
    try { kept = store.getItem("lerend-device"); } catch (e) { kept = null; }
    if (kept && /^[A-Za-z0-9_-]{16,100}$/.test(kept)) {
      device.value = kept;
    } else {
      try { store.setItem("lerend-device", device.value); } catch (e) { /* blocked */ }
    }
  }
  var questions = form.querySelectorAll("[data-question]");
  var bar = document.getElementById("scan-progress-bar");
  var text = document.getElementById("scan-progress-text");
  var template = text ? text.getAttribute("data-template") : "";

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit" &&
        el.name !== "device_key" && el.name !== "replace";
    });
  }

  function save() {
    if (!store) { return; }
    var data = { values: {} };
    fields().forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { (data.values[el.name] = data.values[el.name] || []).push(el.value); }
      } else if (el.value) {
        data.values[el.name] = [el.value];
      }
    });
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* full or blocked */ }
  }

  function restore() {
    if (!store || !form.hasAttribute("data-fresh")) { return; }
    var data;
    try { data = JSON.parse(store.getItem(key) || "null"); } catch (e) { data = null; }
    if (!data || !data.values) { return; }
    fields().forEach(function (el) {
      var values = data.values[el.name];
      if (!values) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else {
        el.value = values[0];
      }
    });
  }

  function answered(question) {
    var inputs = question.querySelectorAll("input, textarea");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if ((el.type === "checkbox" || el.type === "radio") ? el.checked : el.value.trim() !== "") {
        return true;
      }
    }
    return false;
  }

  function progress() {
    var n = Array.prototype.filter.call(questions, answered).length;
    if (bar) { bar.value = n; }
    if (text && template) { text.textContent = template.replace("{n}", String(n)); }
  }

  restore();
  progress();
  form.addEventListener("change", function () { save(); progress(); });
  form.addEventListener("input", function () { save(); progress(); });
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sending") === "1") { event.preventDefault(); return; }
    save();
    form.setAttribute("data-sending", "1");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.setAttribute("aria-disabled", "true"); }
  });
  var error = document.getElementById("form-error");
  if (error) { error.focus(); }
})();
