// Small progressive enhancements; every page works without this file.
(function () {
  document.documentElement.classList.add("js");
  // newcomer: the header menu starts folded on a narrow screen (without JS it simply stays open).
  function foldMenu() {
    var menu = document.querySelector(".topmenu");
    if (menu && window.matchMedia("(max-width: 760px)").matches) menu.open = false;
  }
  document.addEventListener("DOMContentLoaded", foldMenu);
  // a boosted page change swaps the whole body; a partial swap (a poll, a row) leaves an opened menu open
  document.addEventListener("htmx:afterSwap", function (e) { if (e.detail.target === document.body) foldMenu(); });
  // The main navigation's groups: one open at a time (also <details name>), closed by Escape or a click elsewhere.
  function closeGroups(except) {
    document.querySelectorAll("details[data-navgroup][open]").forEach(function (d) { if (d !== except) d.open = false; });
  }
  document.addEventListener("click", function (evt) { closeGroups(evt.target.closest && evt.target.closest("details[data-navgroup]")); });
  document.addEventListener("keydown", function (evt) {
    var open = evt.key === "Escape" && evt.target.closest && evt.target.closest("details[data-navgroup][open]");
    if (!open) return;
    open.open = false;
    open.querySelector("summary").focus();
  });
  function toast(message) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
    clearTimeout(el._timer);
    el._timer = setTimeout(function () { el.hidden = true; }, 6000);
  }
  // A boosted page change (a link or a form of the whole page) that answers 403, 404 or 5xx shows the error page it
  // got, in the layout, at its URL, as a browser without htmx would; a part of a page that fails keeps the page
  // and says what happened (below).
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var d = evt.detail;
    if (d.xhr.status < 400 || !d.boosted || d.target !== document.body) return;
    if (!/text\/html/.test(d.xhr.getResponseHeader("Content-Type") || "")) return;
    d.shouldSwap = true;
    d.isError = false;
  });
  // Failed htmx requests that are not swapped (403, 404, 5xx) still say what happened.
  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr, msg = document.body.dataset.errorText || "Something went wrong.";
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.detail) msg = body.detail;
    } catch (e) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var h = doc.querySelector("h1");
      if (h) msg = h.textContent.trim();
    }
    toast(msg);
  });
  document.addEventListener("htmx:sendError", function () {
    toast(document.body.dataset.offlineText || "Effekt could not be reached.");
  });
  // Copy buttons: <button data-copy="#id">
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-copy]");
    if (!btn) return;
    var src = document.querySelector(btn.dataset.copy);
    if (src && navigator.clipboard) {
      navigator.clipboard.writeText(src.value || src.textContent.trim());
      btn.textContent = btn.dataset.copied || "Copied";
    }
  });

  // Goal tree: a button with data-toggle="kids-7" shows or hides that list. What is collapsed is kept for the
  // tab, so the tree stays as it was after htmx redraws it (every change re-renders the whole tree).
  var KEY = "effekt:collapsed";
  function collapsed() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function setCollapsed(list) {
    try { sessionStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* private mode: not kept */ }
  }
  function show(btn, open) {
    var target = document.getElementById(btn.dataset.toggle);
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    if (target) target.hidden = !open;
  }
  function applyCollapsed(root) {
    var ids = collapsed();
    (root || document).querySelectorAll("[data-toggle]").forEach(function (btn) {
      if (ids.indexOf(btn.dataset.toggle) >= 0) show(btn, false);
    });
  }
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("[data-toggle]");
    if (!btn) return;
    var open = btn.getAttribute("aria-expanded") !== "true";
    show(btn, open);
    var ids = collapsed().filter(function (id) { return id !== btn.dataset.toggle; });
    if (!open) ids.push(btn.dataset.toggle);
    setCollapsed(ids);
  });
  // A move button at the end of its list does nothing (it stays focusable, so focus is not lost).
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest("button[aria-disabled='true']");
    if (btn) evt.preventDefault();
  });

  // Effect map: an SVG <a> is not an HTMLAnchorElement, so htmx does not stop the browser following it.
  var opener = null;
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest("svg a[hx-get]");
    if (!link || !window.htmx || evt.ctrlKey || evt.metaKey || evt.shiftKey || evt.button !== 0) return;
    evt.preventDefault();
    opener = link;
    document.querySelectorAll("svg a.is-selected").forEach(function (a) { a.classList.remove("is-selected"); });
    link.classList.add("is-selected");
  });
  function closePanel() {
    var panel = document.getElementById("panel");
    var empty = document.getElementById("panel-empty-template");
    if (!panel || !empty) return;
    panel.replaceWith(empty.content.cloneNode(true));
    document.querySelectorAll("svg a.is-selected").forEach(function (a) { a.classList.remove("is-selected"); });
    if (opener && document.contains(opener)) opener.focus();
  }
  document.addEventListener("click", function (evt) {
    if (evt.target.closest("[data-close-panel]")) closePanel();
  });
  document.addEventListener("keydown", function (evt) {
    var panel = document.getElementById("panel");
    if (evt.key === "Escape" && panel && panel.classList.contains("is-open")) closePanel();
  });

  // Behaviour the markup asks for with data attributes (the Content-Security-Policy allows no inline handlers).
  // Without htmx (which asks through hx-confirm), a form with data-confirm asks before it is sent.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (window.htmx || !form.dataset || !form.dataset.confirm) return;
    if (!window.confirm(form.dataset.confirm)) evt.preventDefault();
  });
  // A choice made with the mouse submits at once. From the keyboard, arrow and letter keys only move through the
  // options (each would otherwise load a page): the change shows the form's own button, and Enter submits.
  function autosubmit(target) { return target.closest && target.closest("select[data-autosubmit]"); }
  document.addEventListener("keydown", function (evt) {
    var el = autosubmit(evt.target);
    if (!el || !el.form) return;
    if (evt.key === "Enter") {
      evt.preventDefault();
      el.form.requestSubmit();
    } else if (evt.key.length === 1 || /^(Arrow|Page|Home|End)/.test(evt.key)) {
      el.dataset.keyed = "true";
    }
  });
  document.addEventListener("pointerdown", function (evt) {
    var el = autosubmit(evt.target);
    if (el) delete el.dataset.keyed;
  });
  document.addEventListener("change", function (evt) {
    var el = autosubmit(evt.target);
    if (!el || !el.form) return;
    if (el.dataset.keyed) el.form.classList.add("is-keyed"); else el.form.requestSubmit();
  });
  document.addEventListener("click", function (evt) {
    if (evt.target.closest("[data-print]")) window.print();
  });
  function selectIfAsked(el) {
    if (el && el.matches && el.matches("[data-select-on-focus]")) el.select();
  }
  document.addEventListener("focusin", function (evt) { selectIfAsked(evt.target); });

  function ready() { applyCollapsed(document); selectIfAsked(document.activeElement); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
  document.addEventListener("htmx:afterSettle", function () { applyCollapsed(document); });
})();
