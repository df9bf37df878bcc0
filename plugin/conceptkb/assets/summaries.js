/* conceptkb: a concept link's summary, without a mouse.
 *
 * A concept link is <a class="ck-link" data-ck-summary="..."><span title="...">text</span></a>.
 * A mouse hovering the text gets the theme's tooltip from the span's title (Material's
 * content.tooltips, or the browser's own). This script shows the summary in a popover
 * (role="tooltip", linked from the link with aria-describedby) when the link gets
 * keyboard focus, and on touch: the first tap on a link shows its summary, a second
 * tap on it follows it. The popover stays while the link has focus, the pointer may
 * move over it, and Escape hides it (and a theme tooltip of a concept link) until the
 * focus leaves the link (WCAG 1.4.13). The text is set with textContent, never parsed.
 *
 * Listeners sit on the document, so pages that Material's instant navigation brings
 * in need nothing; each new page closes the popover (document$).
 */
(function () {
  "use strict";
  if (window.__conceptkbSummaries) return;
  window.__conceptkbSummaries = true;

  var POPOVER_ID = "ck-summary-popover";
  var GAP = 8;
  var TAP_SLOP = 10;      /* px a finger may move and still tap */
  var TAP_LONGEST = 600;  /* ms; longer is a long press (the browser's menu) */

  var shown = null;       /* the link whose summary the popover shows */
  var touch = null;       /* a touch that may become a tap on a link */

  function linkOf(node) {
    var element = node && node.nodeType === 1 ? node : node && node.parentElement;
    return element ? element.closest("a.ck-link[data-ck-summary]") : null;
  }

  function popover() {
    var element = document.getElementById(POPOVER_ID);
    if (!element) {
      element = document.createElement("div");
      element.id = POPOVER_ID;
      element.className = "ck-popover";
      element.setAttribute("role", "tooltip");
      element.hidden = true;
      /* Pressing on the popover keeps the focus, and so the popover, where it is. */
      element.addEventListener("mousedown", function (event) { event.preventDefault(); });
      document.body.appendChild(element);
    }
    return element;
  }

  /* The theme's tooltips of concept links that show now (Material and Zensical put
     the id of a shown tooltip in the aria-describedby of its host, the span). */
  function themeTooltips(scope) {
    var found = [];
    scope.querySelectorAll("a.ck-link > [aria-describedby]").forEach(function (host) {
      var tooltip = document.getElementById(host.getAttribute("aria-describedby"));
      if (tooltip && tooltip.id !== POPOVER_ID) found.push(tooltip);
    });
    return found;
  }

  function hideThemeTooltips(scope) {
    /* A shown tooltip is a new element each time: hiding this one hides no later one. */
    themeTooltips(scope).forEach(function (tooltip) { tooltip.style.display = "none"; });
  }

  function place(link, element) {
    var rects = link.getClientRects();
    if (!rects.length) return;
    var first = rects[0], last = rects[rects.length - 1];
    element.style.left = element.style.top = "0px";  /* measure it at full width */
    var width = element.offsetWidth, height = element.offsetHeight;
    var left = Math.max(GAP, Math.min(first.left, document.documentElement.clientWidth - width - GAP));
    var top = last.bottom + GAP;
    if (top + height > window.innerHeight && first.top - GAP - height >= 0) {
      top = first.top - GAP - height;  /* no room below: above the link */
    }
    /* Viewport coordinates, made relative to what the popover is positioned in. */
    var origin = getComputedStyle(document.body).position === "static"
      ? { left: -window.scrollX, top: -window.scrollY }
      : document.body.getBoundingClientRect();
    element.style.left = left - origin.left + "px";
    element.style.top = top - origin.top + "px";
  }

  function show(link) {
    if (shown && shown !== link) hide();
    var element = popover();
    element.textContent = link.getAttribute("data-ck-summary");
    element.hidden = false;
    place(link, element);
    link.setAttribute("aria-describedby", POPOVER_ID);
    shown = link;
    hideThemeTooltips(link);
  }

  function hide() {
    var element = document.getElementById(POPOVER_ID);
    if (element) element.hidden = true;
    if (shown && shown.getAttribute("aria-describedby") === POPOVER_ID) {
      shown.removeAttribute("aria-describedby");
    }
    shown = null;
  }

  function focusVisible(link) {
    try {
      return link.matches(":focus-visible");
    } catch (error) {
      return true;  /* a browser without :focus-visible */
    }
  }

  document.addEventListener("focusin", function (event) {
    var link = linkOf(event.target);
    if (link && link !== shown && focusVisible(link)) {
      show(link);  /* keyboard focus; a mouse press focuses without :focus-visible */
    }
  });

  document.addEventListener("focusout", function (event) {
    var link = linkOf(event.target);
    if (link && link === shown && linkOf(event.relatedTarget) !== link) hide();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    var tooltips = themeTooltips(document);
    if (!shown && !tooltips.length) return;
    hide();  /* until the focus leaves the link and comes back */
    hideThemeTooltips(document);
  });

  /* While the popover shows a link's summary, the theme's tooltip of that link stays
     closed: the pointer entering its text, or a finger on it (Zensical's tooltips
     open on touchstart), does not reach the theme's listeners on the span. */
  function guard(event) {
    var link = linkOf(event.target);
    if (link && link === shown && event.target !== link) event.stopPropagation();
  }
  document.addEventListener("mouseenter", guard, true);

  document.addEventListener("touchstart", function (event) {
    var link = event.touches.length === 1 ? linkOf(event.target) : null;
    touch = link && {
      link: link,
      x: event.touches[0].clientX,
      y: event.touches[0].clientY,
      time: Date.now()
    };
    guard(event);
  }, { capture: true, passive: true });

  document.addEventListener("touchmove", function (event) {
    if (!touch) return;
    var point = event.touches[0];
    if (event.touches.length !== 1 || Math.abs(point.clientX - touch.x) > TAP_SLOP ||
        Math.abs(point.clientY - touch.y) > TAP_SLOP) {
      touch = null;  /* a scroll or a pinch, not a tap */
    }
  }, { capture: true, passive: true });

  document.addEventListener("touchend", function (event) {
    var tap = touch;
    touch = null;
    if (!tap || event.touches.length || Date.now() - tap.time > TAP_LONGEST) return;
    var point = event.changedTouches[0];
    if (linkOf(document.elementFromPoint(point.clientX, point.clientY)) !== tap.link) return;
    /* No mouse events and no click follow a cancelled touchend: the theme's hover
       tooltip stays closed, and the link is followed only when this script says so. */
    event.preventDefault();
    if (tap.link === shown) {
      hide();
      tap.link.click();  /* second tap: follow the link (instant navigation included) */
      return;
    }
    show(tap.link);
    tap.link.focus({ preventScroll: true });  /* Escape and a tap elsewhere close it */
  }, { capture: true, passive: false });

  window.addEventListener("resize", function () {
    if (shown) place(shown, popover());
  });

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(hide);  /* a new page: the link is gone */
  }
})();
