// Credence cockpit: small enhancements only — every page works without this file.
// Deadlines count down live; the print button prints the page (the credit report).
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var zh = lang.indexOf("zh") === 0;
  function span(seconds) {
    var m = Math.floor(Math.abs(seconds) / 60), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), min = m % 60;
    if (zh) return d > 0 ? d + "天" + h + "小时" : (h > 0 ? h + "小时" + min + "分" : min + "分");
    return d > 0 ? d + "d " + h + "h" : (h > 0 ? h + "h " + min + "m" : min + "m");
  }
  // Seconds left are the server's, at the business date's instant; they count down from
  // when the page loaded, unless the business date is past (its clock is fixed).
  var loaded = Date.now();
  var live = document.documentElement.getAttribute("data-clock") !== "fixed";
  function tick() {
    var elapsed = live ? Math.round((Date.now() - loaded) / 1000) : 0;
    document.querySelectorAll("[data-left]").forEach(function (el) {
      var left = parseInt(el.getAttribute("data-left"), 10);
      if (isNaN(left)) return;
      var s = left - elapsed;
      el.textContent = s >= 0 ? (zh ? "剩余" + span(s) : span(s) + " left") : (zh ? "已超时" + span(s) : "overdue by " + span(s));
      el.classList.toggle("late", s < 0);
    });
  }
  tick();
  setInterval(tick, 30000);
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
