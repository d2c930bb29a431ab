// The little behaviour the pages need beyond htmx; every page works without it.
"use strict";

// <form data-confirm="Remove this person?">: ask before a destructive action is sent.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Escape closes an open menu and puts the focus back on its button.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.dropdown[open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});
