// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Confirmation for destructive actions: data-confirm="Weet u het zeker?" on the form, or on
  // the button that submits it (a form with several actions, such as the slot grid's bins).
  document.body.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    const message =
      (submitter && submitter.dataset && submitter.dataset.confirm) ||
      (event.target.dataset && event.target.dataset.confirm);
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });
  // After a failed submit: focus the error summary (or else the first invalid field), so
  // keyboard and screen-reader users land on what needs fixing.
  const target =
    document.querySelector("[data-autofocus]") ||
    document.querySelector("[aria-invalid='true']");
  if (target) {
    target.focus();
  }
  // htmx: send the CSRF token with every request.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) {
      event.detail.headers["X-CSRFToken"] = token.value;
    }
  });
});
