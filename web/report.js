// SPDX-License-Identifier: GPL-3.0-or-later
// The public reporting page: no session, no cookie, one JSON POST.
'use strict';
(function () {
  const form = document.getElementById('report');
  const msg = document.getElementById('report-message');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { category: form.category.value, area: form.area.value.trim(), description: form.description.value.trim() };
    if (!body.area || !body.description) { msg.className = 'error'; msg.textContent = 'Please give the area and what you saw.'; return; }
    const r = await fetch('/api/public/reports', { method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (r.status === 201) { form.reset(); msg.className = 'ok'; msg.textContent = 'Thank you. Your report has been received.'; }
    else if (r.status === 429) { msg.className = 'error'; msg.textContent = 'Too many reports from here just now: please try later.'; }
    else { msg.className = 'error'; msg.textContent = 'The report could not be sent (' + r.status + ').'; }
  });
})();
