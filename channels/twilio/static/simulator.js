// The phone simulator: texts and calls the service as a phone number and shows what
// comes back — replies, what the line says, calls from the service (polls every second).
// A call in the queue or put through to a counsellor shows with hang-up buttons: the
// simulator plays the counsellor's phone too.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="simulator-token"]').content;
  var labels = document.body.dataset;
  var list = document.getElementById("messages");
  var empty = document.getElementById("empty");
  var errorBox = document.getElementById("error");
  var numberInput = document.getElementById("from");
  var activeCall = document.getElementById("active-call");
  var callState = document.getElementById("call-state");
  var counsellorHangsUp = document.getElementById("counsellor-hangs-up");
  var lastId = 0;
  var shownNumber = numberInput.value;
  var activeSid = null;

  function label(message) {
    if (message.kind === "say") { return labels.says; }
    if (message.kind === "call") { return message.direction === "in" ? labels.youCall : labels.service; }
    return message.direction === "in" ? labels.you : labels.service;
  }

  function describe(message) {
    if (message.kind === "waiting") { return "📞 " + labels.waiting; }
    if (message.kind === "connected") { return "📞 " + labels.connected + " " + message.text; }
    if (message.kind === "ended") { return "📞 " + labels.ended + " · " + message.text; }
    if (message.kind === "call") {
      return message.direction === "out" ? "📞 " + labels.calling + " " + message.text : "📞 " + message.text;
    }
    return message.text;
  }

  function render(message) {
    var item = document.createElement("li");
    item.className = message.direction + " " + (message.kind || "sms");
    var who = document.createElement("small");
    who.textContent = label(message) + " · " + message.number + " · " + new Date(message.at).toLocaleTimeString();
    var text = document.createElement("span");
    text.textContent = describe(message); // textContent: a text is never markup
    item.appendChild(who);
    item.appendChild(text);
    list.appendChild(item);
    empty.hidden = true;
  }

  function showCall(message) {
    if (message.kind === "waiting" || message.kind === "connected") {
      activeSid = message.sid;
      callState.textContent = describe(message);
      counsellorHangsUp.hidden = message.kind !== "connected";
      activeCall.hidden = false;
    } else if (message.kind === "ended" && message.sid === activeSid) {
      activeSid = null;
      activeCall.hidden = true;
    }
  }

  function poll() {
    var url = "/simulator/api/messages?after=" + lastId + "&number=" + encodeURIComponent(shownNumber);
    fetch(url, { headers: { "X-Simulator-Token": token } })
      .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
      .then(function (data) {
        data.messages.forEach(function (message) {
          lastId = Math.max(lastId, message.id);
          render(message);
          showCall(message);
        });
      })
      .catch(function () { /* the next poll tries again */ })
      .finally(function () { setTimeout(poll, 1000); });
  }

  function post(path, body, done) {
    errorBox.textContent = "";
    fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Simulator-Token": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.ok) { done(); return; }
      return response.text().then(function (text) { errorBox.textContent = text; });
    }).catch(function (err) { errorBox.textContent = String(err); });
  }

  numberInput.addEventListener("change", function () {
    shownNumber = numberInput.value;
    lastId = 0;
    activeSid = null;
    activeCall.hidden = true;
    list.textContent = "";
    empty.hidden = false;
  });

  document.getElementById("compose").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = document.getElementById("text");
    post("/simulator/api/sms", { from: numberInput.value, text: text.value }, function () {
      text.value = "";
    });
  });

  document.getElementById("call").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = document.getElementById("call-text");
    post("/simulator/api/call", {
      from: numberInput.value,
      language: document.getElementById("call-language").value,
      menu: document.getElementById("call-menu").value,
      then: document.getElementById("call-then").value,
      text: text.value
    }, function () { text.value = ""; });
  });

  function hangUp(by) {
    if (activeSid) { post("/simulator/api/hangup", { sid: activeSid, by: by }, function () {}); }
  }
  document.getElementById("hang-up").addEventListener("click", function () { hangUp("caller"); });
  counsellorHangsUp.addEventListener("click", function () { hangUp("counsellor"); });

  poll();
})();
