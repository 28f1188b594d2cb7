// The fact-check form's live preview: the form is posted to the preview route (the same use
// case as publishing, rolled back) a moment after typing stops, and the answer (HTML escaped by
// the server) replaces the preview.
"use strict";
(function () {
  const form = document.getElementById("review-form");
  const target = document.getElementById("preview");
  if (!form || !target) {
    return;
  }
  let timer = null;
  let sent = 0;
  function refresh() {
    const number = ++sent;
    fetch(form.dataset.preview, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && number === sent) {
          target.innerHTML = html;
        }
      })
      .catch(function () {});
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
