// Keeps the invitee panel from refreshing while the clerk is choosing a role in it: the swap
// would drop the choice. Done here rather than in an hx-trigger filter because htmx evaluates
// filters as strings, which the Content Security Policy (no 'unsafe-eval') forbids.
document.addEventListener("htmx:beforeRequest", (event) => {
  const panel = document.getElementById("rsvp-panel");
  if (panel && event.target === panel && panel.contains(document.activeElement)) {
    event.preventDefault();
  }
});
