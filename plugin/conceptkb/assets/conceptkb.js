/* conceptkb: filter the A-Z index by category and tag without leaving the page. */
(function () {
  "use strict";
  function setup() {
    var form = document.querySelector("[data-ck-filters]");
    if (!form || form.dataset.ckReady) return;
    form.dataset.ckReady = "1";
    var selects = form.querySelectorAll("[data-ck-filter]");
    var count = form.querySelector("[data-ck-count]");
    function apply() {
      var category = "", tag = "";
      selects.forEach(function (s) {
        if (s.dataset.ckFilter === "category") category = s.value;
        if (s.dataset.ckFilter === "tag") tag = s.value;
      });
      var shown = 0;
      document.querySelectorAll(".ck-entry").forEach(function (entry) {
        var tags = (entry.dataset.tags || "").split(" ");
        var visible = (!category || entry.dataset.category === category) &&
                      (!tag || tags.indexOf(tag) !== -1);
        entry.hidden = !visible;
        if (visible && !entry.classList.contains("ck-alias")) shown += 1;
      });
      document.querySelectorAll(".ck-letter").forEach(function (section) {
        section.hidden = !section.querySelector(".ck-entry:not([hidden])");
      });
      document.querySelectorAll(".ck-letters a").forEach(function (link) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        link.hidden = !!(target && target.hidden);
      });
      if (count) count.textContent = shown + (shown === 1 ? " concept" : " concepts");
    }
    selects.forEach(function (s) { s.addEventListener("change", apply); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
