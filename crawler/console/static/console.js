// Click a pirate domain or URL to copy it: they are never live links.
document.addEventListener("click", function (event) {
  var node = event.target.closest("[data-copy]");
  if (node && navigator.clipboard) {
    navigator.clipboard.writeText(node.getAttribute("data-copy"));
    node.classList.add("copied");
  }
});
