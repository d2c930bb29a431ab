// Product images. On the product form, ↑ and ↓ move an image earlier or later in the list,
// which is the order the form sends the ticked ones in (so the order they are shown in);
// without JavaScript the buttons stay hidden and the list keeps its order, the main image
// first. On the product page, a gallery thumbnail shows its image in the main image's place
// (without JavaScript it opens that image).
"use strict";

(() => {
  const list = document.querySelector(".image-choices");
  if (list) {
    for (const buttons of list.querySelectorAll(".image-move")) buttons.hidden = false;
    list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-move]");
      if (!button) return;
      const item = button.closest("li");
      if (button.dataset.move === "up" && item.previousElementSibling) {
        item.previousElementSibling.before(item);
      } else if (button.dataset.move === "down" && item.nextElementSibling) {
        item.nextElementSibling.after(item);
      }
      button.focus();
    });
  }

  const gallery = document.querySelector(".product-gallery");
  const main = document.querySelector(".product-main-image");
  if (gallery && main) {
    gallery.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-display]");
      if (!link) return;
      event.preventDefault();
      main.src = link.dataset.display;
      for (const other of gallery.querySelectorAll("a[aria-current]")) other.removeAttribute("aria-current");
      link.setAttribute("aria-current", "true");
    });
  }
})();
