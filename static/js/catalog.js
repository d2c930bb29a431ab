// The catalog's search box as a combobox (WAI-ARIA's "list autocomplete" pattern): htmx
// fills the listbox under it with product names as people type; here the list opens and
// closes, and the keyboard moves through it. ↓/↑ choose a name, Enter opens its product
// (or searches what was typed when none is chosen), Esc closes the list (and a second Esc
// clears the box), a click elsewhere closes it. Without JavaScript the box is a plain search.
"use strict";

(() => {
  const input = document.querySelector('input[role="combobox"][aria-controls="suggestions"]');
  const list = document.getElementById("suggestions");
  if (!input || !list) return;
  const options = () => Array.from(list.querySelectorAll('[role="option"]'));
  const active = () => document.getElementById(input.getAttribute("aria-activedescendant") || "");

  const choose = (option) => {
    for (const o of options()) o.setAttribute("aria-selected", String(o === option));
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  const open = (yes) => {
    const show = yes && options().length > 0;
    list.hidden = !show;
    input.setAttribute("aria-expanded", String(show));
    if (!show) choose(null);
  };

  list.addEventListener("htmx:afterSwap", () => open(document.activeElement === input));
  input.addEventListener("keydown", (event) => {
    const all = options();
    const at = all.indexOf(active());
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      if (list.hidden) open(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = at === -1 ? (step === 1 ? 0 : all.length - 1) : (at + step + all.length) % all.length;
      choose(all[next]);
    } else if (event.key === "Enter" && !list.hidden && at !== -1) {
      event.preventDefault();
      all[at].querySelector("a").click();
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        event.stopPropagation();
        open(false);
      }
    } else if (event.key === "Tab") {
      open(false);
    }
  });
  // The list is clicked before the box loses its focus: keep the choice, close afterwards.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  input.addEventListener("blur", () => open(false));
  input.addEventListener("input", () => {
    if (!input.value.trim()) open(false);
  });
})();
