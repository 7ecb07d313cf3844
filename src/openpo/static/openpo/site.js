/* OpenPO's small page helpers (no build step): countdowns, the campaign page's slots left, the
   order form's live total, print buttons, the first control to focus and the first error of a form HTMX swapped back. Pages
   work without this file: the server renders the countdown text and the prices, and a form
   sent back with errors focuses its first one by `autofocus`. No page has inline scripts or
   onclick="" attributes: the Content-Security-Policy refuses them, so page behaviour lives in
   static files like this. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "id";
  var words = lang === "en" ? { d: "d", h: "h", m: "m", s: "s" } : { d: "hari", h: "jam", m: "mnt", s: "dtk" };

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown-to]").forEach(function (el) {
      var left = Math.max(0, Math.floor((Date.parse(el.getAttribute("data-countdown-to")) - now) / 1000));
      var d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600);
      var m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = (d ? d + " " + words.d + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
      if (left === 0 && el.hasAttribute("data-reload-at-zero") && !el.dataset.reloaded) {
        el.dataset.reloaded = "1";
        setTimeout(function () { window.location.reload(); }, 1500);
      }
    });
  }

  function rupiah(n) { return "Rp " + n.toLocaleString("id-ID"); }

  function updateTotal(form) {
    var out = form.querySelector("[data-live-total]");
    if (!out) { return; }
    var subtotal = 0, units = 0;
    form.querySelectorAll("input.qty").forEach(function (input) {
      var q = parseInt(input.value, 10);
      if (q > 0) { subtotal += q * parseInt(input.getAttribute("data-price"), 10); units += q; }
    });
    if (!out.hasAttribute("data-hint")) { out.setAttribute("data-hint", out.textContent); }
    if (!units) { out.textContent = out.getAttribute("data-hint"); return; }
    out.textContent = rupiah(subtotal + parseInt(out.getAttribute("data-shipping"), 10));
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input.qty")) { updateTotal(event.target.form); }
  });
  // A refusal HTMX does not swap (rate limit, server error): show the whole answer page.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseText) { document.open(); document.write(xhr.responseText); document.close(); }
  });
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("form[data-order-form]").forEach(updateTotal);
  });
  // A form swapped back with errors: bring its first error (the field or the box above the
  // button that carries `autofocus`, core/forms.py) to the middle of the screen and focus it,
  // so a buyer who pressed the button at the bottom sees what to fix.
  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.detail && event.detail.elt;
    if (!swapped || !swapped.isConnected || !swapped.querySelector) { return; }
    var first = swapped.matches("[autofocus]") ? swapped : swapped.querySelector("[autofocus]");
    if (!first) { return; }
    first.scrollIntoView({ block: "center" });
    first.focus({ preventScroll: true });
  });
  // <button data-print>: print the page (the production recap).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { window.print(); }
  });
  // An open PO's page keeps its slots left fresh: every 5 s (while the tab is shown) it asks
  // live.json, answered from a second-old copy or 304 when nothing changed; when the PO stops
  // taking orders (sold out, closed) the page is loaded again once, to show it.
  function pollLive(section) {
    var url = section.getAttribute("data-live-url");
    var line = section.querySelector("[data-live=slots]");
    function ask() {
      if (document.visibilityState !== "visible") { return; }
      fetch(url, { cache: "no-cache", credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (live) {
        if (!live) { return; }
        if (live.state !== "open" && !section.dataset.reloaded) {
          section.dataset.reloaded = "1";
          window.location.reload();
          return;
        }
        if (line && live.slots_text) { line.textContent = live.slots_text; }
        var ordered = section.querySelector("[data-live=ordered]");
        if (ordered && live.ordered_text) { ordered.textContent = live.ordered_text; }
        var bar = section.querySelector("[data-live=progress]");
        if (bar) {
          bar.setAttribute("aria-valuenow", live.moq_percent);
          var rect = bar.querySelector("rect");
          if (rect) { rect.setAttribute("width", live.moq_percent + "%"); }
        }
        // Beside each variant, on the product list and in the form.
        Object.keys(live.variants || {}).forEach(function (id) {
          document.querySelectorAll('[data-live-variant="' + id + '"]').forEach(function (el) {
            el.textContent = live.variants[id];
          });
        });
      }).catch(function () { /* offline for a moment: the next tick asks again */ });
    }
    setInterval(ask, 5000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live-url]").forEach(pollLive);
    // The first [data-autofocus] (the payments queue's first Confirm) gets the focus without
    // scrolling past the heading above it, which `autofocus` would.
    // A form sent back with errors leads with its own `autofocus`: that one wins.
    var first = document.querySelector("[data-autofocus]");
    if (first && !document.querySelector("[autofocus]")) { first.focus({ preventScroll: true }); }
    document.querySelectorAll("form[data-order-form]").forEach(updateTotal);
    tick();
    setInterval(tick, 1000);
  });
})();
