// The display board: live updates from the server's event stream (EventSource reconnects by itself; each
// stream is short on purpose), a JSON polling fallback while the stream is down, and an optional voice
// announcement through the browser's speech synthesis (Indonesian voice when the browser has one).
(function () {
  "use strict";
  var body = document.body;
  var names = JSON.parse(document.getElementById("board-desk-names").textContent);
  var lastCallId = null;
  var voiceOn = false;
  var pollTimer = null;
  var live = document.getElementById("board-live");
  var voiceButton = document.getElementById("board-voice");
  window.boardEvents = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function spell(code) {
    // "A-012" read as "A, nol satu dua" so every digit is heard
    return code.replace("-", " ").split("").join(" ");
  }

  function announce(call) {
    if (!voiceOn || !("speechSynthesis" in window)) { return; }
    var lang = body.dataset.lang === "en" ? "en-US" : "id-ID";
    var text = body.dataset.numberWord + " " + spell(call.ticket) + ", " + body.dataset.toWord + " " +
      (names[call.agency] || call.agency) + ", " + body.dataset.counterWord + " " + call.counter;
    var u = new SpeechSynthesisUtterance(text);
    u.lang = lang;
    u.rate = 0.9;
    window.speechSynthesis.speak(u);
  }

  function render(data) {
    window.boardEvents += 1;
    window.boardVersion = data.version;
    var tbody = document.querySelector("#board-serving tbody");
    tbody.textContent = "";
    data.desks.forEach(function (d) {
      var tr = el("tr");
      tr.dataset.agency = d.agency;
      tr.appendChild(el("td", "desk-name", names[d.agency] || d.agency));
      var tt = el("td", "serving-ticket"), tc = el("td", "serving-counter");
      if (!d.serving.length) { tt.textContent = "\u2013"; }
      d.serving.forEach(function (s) { tt.appendChild(el("span", "", s.ticket)); tc.appendChild(el("span", "", s.counter)); });
      tr.appendChild(tt); tr.appendChild(tc);
      tr.appendChild(el("td", "waiting", String(d.waiting)));
      tbody.appendChild(tr);
    });
    var ol = document.getElementById("board-calls");
    ol.textContent = "";
    data.calls.forEach(function (c, i) {
      var li = el("li");
      li.dataset.id = c.id;
      li.appendChild(el("span", "call-ticket", c.ticket));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "call-to", "\u2192 " + (names[c.agency] || c.agency) + " " + c.counter));
      if (i === 0 && lastCallId !== null && c.id !== lastCallId) { li.classList.add("flash"); }
      ol.appendChild(li);
    });
    var newest = data.calls.length ? data.calls[0].id : null;
    if (lastCallId !== null && newest !== null) {
      data.calls.filter(function (c) { return c.id > lastCallId; }).reverse().forEach(announce);
    }
    if (newest !== null) { lastCallId = newest; } else if (lastCallId === null) { lastCallId = 0; }
  }

  function poll() {
    fetch(body.dataset.state, { cache: "no-store" }).then(function (r) { return r.json(); }).then(render)
      .catch(function () { /* keep the last picture */ });
  }

  function connect() {
    // ?mode=poll: plain JSON polling, for servers whose workers should not hold event streams
    var pollOnly = new URLSearchParams(window.location.search).get("mode") === "poll";
    if (pollOnly || !("EventSource" in window)) { pollTimer = setInterval(poll, 3000); return; }
    var es = new EventSource(body.dataset.events);
    es.addEventListener("board", function (ev) { render(JSON.parse(ev.data)); });
    es.onopen = function () {
      live.classList.remove("off");
      if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
    };
    es.onerror = function () {
      // EventSource reconnects by itself (the server ends each stream after a while); poll meanwhile.
      live.classList.add("off");
      if (!pollTimer) { pollTimer = setInterval(poll, 5000); }
    };
  }

  voiceButton.addEventListener("click", function () {
    voiceOn = !voiceOn;
    voiceButton.setAttribute("aria-pressed", voiceOn ? "true" : "false");
    if (voiceOn && "speechSynthesis" in window) { window.speechSynthesis.speak(new SpeechSynthesisUtterance("")); }
  });

  function tick() {
    var d = new Date();
    document.getElementById("board-clock").textContent =
      String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }
  tick();
  setInterval(tick, 10000);
  var first = document.querySelector("#board-calls li");
  lastCallId = first ? parseInt(first.dataset.id, 10) : 0;
  connect();
})();
