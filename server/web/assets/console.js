// Counts the deadlines down between the page's refreshes, and refreshes a page that asks for it
// when the user is not busy with it. Without JavaScript the server's countdown text stands as it
// was rendered, and the page refreshes by its meta refresh.
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
  // A page that refreshes itself (the dashboard) does so here, not by a meta refresh, so that a
  // refresh never throws away what the user is choosing: not while a form control has the focus
  // or was changed and not yet sent (WCAG 2.2.1). Without JavaScript the meta refresh in
  // <noscript> does it.
  function refreshWhenIdle(seconds) {
    var changed = false;
    document.addEventListener('input', function() {
      changed = true;
    });
    document.addEventListener('change', function() {
      changed = true;
    });
    setInterval(function() {
      var active = document.activeElement;
      var busy = changed || (active && active.form !== undefined && active.form !== null);
      if (!busy) window.location.reload();
    }, seconds * 1000);
  }
  document.addEventListener('DOMContentLoaded', function() {
    tick();
    setInterval(tick, 30000);
    var seconds = Number(document.body.getAttribute('data-refresh'));
    if (seconds > 0) refreshWhenIdle(seconds);
  });
})();
