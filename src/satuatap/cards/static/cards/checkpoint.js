// Reads the card's QR code with the camera where the browser can (BarcodeDetector), and submits it for checking.
// Without a camera or the API, the officer types or pastes the token: the page works the same.
(function () {
  "use strict";
  var start = document.getElementById("scanner-start");
  var box = document.getElementById("scanner");
  var video = document.getElementById("scanner-video");
  var stop = document.getElementById("scanner-stop");
  var token = document.getElementById("token");
  if (!start || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  start.hidden = false;
  var stream = null;
  function halt() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    box.hidden = true;
  }
  stop.addEventListener("click", halt);
  start.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s;
      video.srcObject = s;
      box.hidden = false;
      video.play();
      function tick() {
        if (!stream) { return; }
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            token.value = codes[0].rawValue;
            halt();
            document.getElementById("verify-submit").click();
          } else { window.requestAnimationFrame(tick); }
        }).catch(function () { window.requestAnimationFrame(tick); });
      }
      tick();
    }).catch(function () { halt(); });
  });
})();
