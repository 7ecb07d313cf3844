/* Share page: copy buttons for the link and the caption, and "Share image" on phones that can
   share files. Without this file the fields can still be selected and the images downloaded. */
(function () {
  "use strict";
  // Copy buttons: put the target field's text on the clipboard (or select it where the
  // clipboard API is missing, e.g. plain HTTP), and say so on the button for a moment.
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
  // On phones that can share files (Android, iOS), send a poster with the caption straight to
  // WhatsApp or Instagram; elsewhere the button stays hidden and the download link remains.
  document.querySelectorAll("[data-share-image]").forEach(function (button) {
    var probe = new File([""], "probe.png", {type: "image/png"});
    if (!navigator.canShare || !navigator.canShare({files: [probe]})) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      fetch(button.dataset.shareImage, {credentials: "same-origin"})
        .then(function (response) { return response.blob(); })
        .then(function (blob) {
          var file = new File([blob], button.dataset.name, {type: "image/png"});
          return navigator.share({files: [file], text: document.getElementById("share-caption").value});
        })
        .catch(function () {});
    });
  });
  document.getElementById("share-url").addEventListener("focus", function (event) { event.target.select(); });
})();
