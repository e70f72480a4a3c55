// Reads the card's QR code with the camera and submits it for checking. The browser's BarcodeDetector is used
// where it exists (Chrome on Android, macOS, ChromeOS); elsewhere the vendored jsQR decoder is loaded on first
// use. Without a camera (or over plain HTTP, where browsers refuse it) the officer types, pastes, or uses a
// hand-held QR scanner that types into the field: the page works the same.
(function () {
  "use strict";
  var start = document.getElementById("scanner-start");
  var box = document.getElementById("scanner");
  var video = document.getElementById("scanner-video");
  var stop = document.getElementById("scanner-stop");
  var token = document.getElementById("token");
  if (!start || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  start.hidden = false;
  var stream = null;
  var canvas = document.createElement("canvas");

  function halt() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    box.hidden = true;
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(window.jsQR); return; }
      var s = document.createElement("script");
      s.src = start.dataset.jsqr;
      s.onload = function () { resolve(window.jsQR); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  // A detector: a function from the video element to a promise of the decoded text (or null).
  function makeDetector() {
    if ("BarcodeDetector" in window) {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return Promise.resolve(function (source) {
        return detector.detect(source).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      });
    }
    return loadJsQR().then(function (jsQR) {
      return function (source) {
        var w = source.videoWidth, h = source.videoHeight;
        if (!w || !h) { return Promise.resolve(null); }
        canvas.width = w; canvas.height = h;
        var ctx = canvas.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(source, 0, 0, w, h);
        var found = jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  // For tests and for decoding a photo: the same decoder over any image source.
  window.satuatapDecodeQR = function (imageData) {
    return loadJsQR().then(function (jsQR) {
      var found = jsQR(imageData.data, imageData.width, imageData.height);
      return found ? found.data : null;
    });
  };

  stop.addEventListener("click", halt);
  start.addEventListener("click", function () {
    Promise.all([makeDetector(), navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })])
      .then(function (r) {
        var detect = r[0];
        stream = r[1];
        video.srcObject = stream;
        box.hidden = false;
        video.play();
        function tick() {
          if (!stream) { return; }
          detect(video).then(function (text) {
            if (text) {
              token.value = text;
              halt();
              document.getElementById("verify-submit").click();
            } else { window.requestAnimationFrame(tick); }
          }).catch(function () { window.requestAnimationFrame(tick); });
        }
        tick();
      }).catch(function () { halt(); });
  });
})();
