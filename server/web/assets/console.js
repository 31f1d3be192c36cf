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
  // or holds a value other than the page's own (WCAG 2.2.1). Without JavaScript the meta
  // refresh in <noscript> does it.
  function values() {
    var out = [];
    var fields = document.querySelectorAll('form input, form select, form textarea');
    for (var i = 0; i < fields.length; i++) out.push(fields[i].value);
    return out.join('\u0000');
  }
  function refreshWhenIdle(seconds) {
    var loaded = values();
    setInterval(function() {
      var active = document.activeElement;
      var focused = active && active.form !== undefined && active.form !== null;
      // A choice made and not applied holds the page until it is applied or undone.
      if (!focused && values() === loaded) window.location.reload();
    }, seconds * 1000);
  }
  document.addEventListener('DOMContentLoaded', function() {
    tick();
    setInterval(tick, 30000);
    var seconds = Number(document.body.getAttribute('data-refresh'));
    if (seconds > 0) refreshWhenIdle(seconds);
  });
})();
