/* Loaded just before a long model listing, while the page is still being read.
 *
 * It marks the page so that the stylesheet shows only the first rows of the listing
 * while the rest is parsed; catalog.js then takes the rows over and shows them a
 * page at a time. This spares the browser from laying out a 10,000-row table that
 * the script is about to replace. If catalog.js never runs, the mark is removed when
 * the page has loaded, so every row shows, as it does without scripts.
 */
document.documentElement.classList.add("js-listing");
window.addEventListener("load", function () {
  var table = document.getElementById("catalog");
  if (table && !table.hasAttribute("data-enhanced")) document.documentElement.classList.remove("js-listing");
});
