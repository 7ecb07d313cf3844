/* Dashboard orders table: "select all on this page" for the bulk actions. The table works
   without it (each row has its own checkbox). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-select-all]")) { return; }
    box.form.querySelectorAll("input[name=ids]").forEach(function (input) { input.checked = box.checked; });
  });
})();
