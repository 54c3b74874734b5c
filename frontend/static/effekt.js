// Small progressive enhancements; every page works without this file.
(function () {
  document.documentElement.classList.add("js");
  function toast(message) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
    clearTimeout(el._timer);
    el._timer = setTimeout(function () { el.hidden = true; }, 6000);
  }
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
})();
