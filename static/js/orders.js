// Orders waiting for payment: <time data-countdown datetime="…"> counts down to the end of
// the payment window every second ("14:32 left"). Without JavaScript it shows that time.
"use strict";

(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const tick = () => {
    for (const el of document.querySelectorAll("time[data-countdown]")) {
      if (!el.title) el.title = el.textContent;
      const left = Math.floor((Date.parse(el.dateTime) - Date.now()) / 1000);
      if (Number.isNaN(left)) continue;
      if (left <= 0) {
        el.textContent = el.dataset.over;
        continue;
      }
      const hours = Math.floor(left / 3600);
      const minutes = Math.floor((left % 3600) / 60);
      const text = hours ? `${hours}:${pad(minutes)}:${pad(left % 60)}` : `${minutes}:${pad(left % 60)}`;
      el.textContent = el.dataset.left.replace("{time}", text);
    }
  };
  tick();
  setInterval(tick, 1000);
})();
