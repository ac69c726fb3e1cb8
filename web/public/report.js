// SPDX-License-Identifier: GPL-3.0-or-later
// The public report page, when JavaScript runs: sends the form as JSON
// without leaving the page. Without JavaScript the form posts to /report
// and the server answers with a page: both store the same report.
'use strict';
(function () {
  const form = document.getElementById('report');
  const msg = document.getElementById('report-message');
  function say(text, ok) {
    msg.className = ok ? 'ok' : 'error';
    msg.textContent = text;
    msg.setAttribute('role', ok ? 'status' : 'alert');
    msg.tabIndex = -1;
    msg.focus();
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = form.elements;
    const body = {
      category: f.category.value,
      signs: Array.from(form.querySelectorAll('input[name=sign]:checked')).map((c) => c.value),
      area: f.area.value.trim(),
      postcode: f.postcode.value.trim(),
      when: f.when.value.trim(),
      description: f.description.value.trim(),
    };
    const lat = f.lat.value.trim(), lon = f.lon.value.trim();
    if (lat || lon) {
      body.lat = Number(lat);
      body.lon = Number(lon);
      if (!lat || !lon || Number.isNaN(body.lat) || Number.isNaN(body.lon)) {
        say('For a map point, give both latitude and longitude as numbers, or leave both empty.', false);
        return;
      }
    }
    if (!body.description || !body.area) {
      say('Please say what you saw and where it was.', false);
      (body.description ? f.area : f.description).focus();
      return;
    }
    let r;
    try {
      r = await fetch('/api/public/reports', {
        method: 'POST', credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      });
    } catch (e) {
      say('The report could not be sent. Please check your connection and try again.', false);
      return;
    }
    if (r.status === 201) {
      form.reset();
      say('Thank you. Your report has been received. You will not be contacted, because we do not know who you are.', true);
    } else if (r.status === 429) {
      say('Many reports have come from here just now. Please try again later.', false);
    } else {
      let why = '';
      try { why = (await r.json()).error || ''; } catch (e) { why = ''; }
      say('Your report was not sent' + (why ? ': ' + why : '') + '.', false);
    }
  });
})();
