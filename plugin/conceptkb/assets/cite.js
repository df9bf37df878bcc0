/* conceptkb: "Cite this page" on concept pages. Without this script the citations are
   selectable text and the copy buttons stay hidden; with it, each button copies its
   citation with the clipboard API and the status line (aria-live) says what happened. */
(function () {
  "use strict";
  function announce(status, message) {
    if (!status) return;
    status.textContent = "";
    // A changed text is announced again, even when the message is the same.
    window.setTimeout(function () { status.textContent = message; }, 50);
  }
  function setup() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("[data-ck-copy]").forEach(function (button) {
      var source = document.getElementById(button.dataset.ckCopy);
      if (!source || button.dataset.ckReady) return;
      button.dataset.ckReady = "1";
      var box = button.closest(".ck-cite");
      var status = box && box.querySelector(".ck-cite-status");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent).then(
          function () { announce(status, "Copied"); },
          function () { announce(status, "Not copied: select the text and copy it"); }
        );
      });
      button.hidden = false;
    });
  }
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
