// Counts the deadlines down between the page's own refreshes. Without JavaScript the server's
// countdown text stands as it was rendered.
(function () {
  'use strict';
  function text(seconds, left, late, hour) {
    var past = seconds < 0;
    var s = Math.abs(seconds);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var parts = (d ? d + ' d ' : '') + h + ' ' + hour + ' ' + (m < 10 ? '0' : '') + m + ' min';
    return (past ? late : left).replace('{t}', parts);
  }
  function tick() {
    var now = Date.now() / 1000;
    var cells = document.querySelectorAll('[data-due]');
    for (var i = 0; i < cells.length; i++) {
      var c = cells[i];
      c.textContent = text(
          Number(c.getAttribute('data-due')) - now, c.getAttribute('data-left'),
          c.getAttribute('data-late'), c.getAttribute('data-hour') || 'h');
    }
  }
  document.addEventListener('DOMContentLoaded', function () { tick(); setInterval(tick, 30000); });
})();
