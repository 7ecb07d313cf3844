/* Share page: "Share image" on phones that can share files, and the link selected when its
   field takes the focus (the copy buttons are dashboard_copy.js). Without this file the
   fields can still be selected and the images downloaded. */
(function () {
  "use strict";
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
