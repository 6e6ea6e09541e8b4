// polaris-mirror console: sends the page's actions (retry, refresh, log out) to the daemon's control
// API with the session's CSRF token in a header, and follows a refresh until it ends. Plain browser
// JavaScript, no build step, nothing loaded from elsewhere. Text from the server is only ever set as
// textContent, never as HTML.
'use strict';

(function () {
  const csrfMeta = document.querySelector('meta[name="console-csrf"]');
  const csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  const notice = document.getElementById('notice');

  function say(text, kind) {
    if (!notice) return;
    notice.textContent = text;
    notice.className = kind || '';
    notice.hidden = false;
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-console-csrf': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let answer = null;
    try {
      answer = await response.json();
    } catch (e) {
      answer = null;
    }
    if (response.status === 401) {
      window.location.assign('/ui/login');
      throw new Error('logged out');
    }
    if (!response.ok) throw new Error((answer && answer.error) || 'the daemon answered ' + response.status);
    return answer;
  }

  function scopeOf(button) {
    const scope = { source: button.dataset.source };
    if (button.dataset.namespace) scope.namespace = JSON.parse(button.dataset.namespace);
    if (button.dataset.table) scope.table = button.dataset.table;
    return scope;
  }

  function describe(scope) {
    const parts = (scope.namespace || []).concat(scope.table ? [scope.table] : []);
    return parts.length ? scope.source + ': ' + parts.join('.') : scope.source;
  }

  async function follow(id, what) {
    for (;;) {
      const response = await fetch('/v1/refresh/' + encodeURIComponent(id), { credentials: 'same-origin' });
      if (!response.ok) throw new Error('the daemon answered ' + response.status);
      const report = await response.json();
      const counts = report.tables.inSync + ' in sync, ' + report.tables.pending + ' pending, ' + report.tables.failed + ' failed';
      if (report.state === 'done' || report.state === 'failed') {
        say('Refresh of ' + what + ' ' + report.state + ': ' + counts + (report.error ? ' — ' + report.error : ''), report.state === 'done' && report.tables.failed === 0 ? 'ok' : 'bad');
        return;
      }
      say('Refresh of ' + what + ': ' + report.state + '… (' + counts + ')', 'busy');
      await new Promise(function (resolve) { setTimeout(resolve, 500); });
    }
  }

  async function act(button) {
    const action = button.dataset.action;
    if (action === 'logout') {
      await post('/ui/logout');
      window.location.assign('/ui/login');
      return;
    }
    const scope = scopeOf(button);
    const what = describe(scope);
    if (action === 'retry') {
      const answer = await post('/v1/retry', scope);
      say('Retry of ' + what + ': ' + answer.retried + ' table(s) due now', answer.retried > 0 ? 'ok' : '');
      return;
    }
    if (action === 'refresh') {
      say('Refresh of ' + what + ' started…', 'busy');
      const answer = await post('/v1/refresh', scope);
      await follow(answer.id, what);
    }
  }

  document.addEventListener('click', function (event) {
    const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    act(button)
      .catch(function (error) {
        say(error.message, 'bad');
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
