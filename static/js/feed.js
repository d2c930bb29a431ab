// The composer's character count, live: <textarea data-count="#id-of-the-count">.
"use strict";

for (const area of document.querySelectorAll("textarea[data-count]")) {
  const count = document.querySelector(area.dataset.count);
  const show = () => { count.textContent = area.value.length; };
  area.addEventListener("input", show);
  show();
}
