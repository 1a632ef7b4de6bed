// Dayu console: refreshes the parts of the page marked data-live (the
// statuses, the clock) every second, without a reload. The pages work
// without it; only the live updates need JavaScript.
(function () {
  "use strict";
  var every = 1000;
  function refresh() {
    if (document.hidden || !document.querySelector("[data-live]")) {
      return;
    }
    fetch(location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live]").forEach(function (el) {
          var fresh = el.id && doc.getElementById(el.id);
          if (fresh && fresh.innerHTML !== el.innerHTML) {
            el.innerHTML = fresh.innerHTML;
          }
        });
      })
      .catch(function () {});
  }
  setInterval(refresh, every);
})();
