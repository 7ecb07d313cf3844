/* Copy buttons (the share page's link and caption, the order format of "Orders from chats"):
   a button with data-copy="<field id>" puts that field's text on the clipboard (or selects
   it where the clipboard API is missing, e.g. plain HTTP) and says data-copied on itself for
   a moment. Without this file the texts can still be selected and copied by hand. */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      var label = button.textContent;
      var done = function () {
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      field.focus();
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    });
  });
})();
