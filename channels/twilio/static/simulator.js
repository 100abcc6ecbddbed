// The SMS simulator: sends texts as a phone number and shows the replies (polls every second).
(function () {
  "use strict";
  var token = document.querySelector('meta[name="simulator-token"]').content;
  var list = document.getElementById("messages");
  var empty = document.getElementById("empty");
  var errorBox = document.getElementById("error");
  var numberInput = document.getElementById("from");
  var lastId = 0;
  var shownNumber = numberInput.value;

  function render(message) {
    var item = document.createElement("li");
    item.className = message.direction;
    var who = document.createElement("small");
    var label = message.direction === "in" ? document.body.dataset.you : document.body.dataset.service;
    who.textContent = label + " · " + message.number + " · " + new Date(message.at).toLocaleTimeString();
    var text = document.createElement("span");
    text.textContent = message.text;  // textContent: a text is never markup
    item.appendChild(who);
    item.appendChild(text);
    list.appendChild(item);
    empty.hidden = true;
  }

  function poll() {
    var url = "/simulator/api/messages?after=" + lastId + "&number=" + encodeURIComponent(shownNumber);
    fetch(url, { headers: { "X-Simulator-Token": token } })
      .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
      .then(function (data) {
        data.messages.forEach(function (message) {
          lastId = Math.max(lastId, message.id);
          render(message);
        });
      })
      .catch(function () { /* the next poll tries again */ })
      .finally(function () { setTimeout(poll, 1000); });
  }

  numberInput.addEventListener("change", function () {
    shownNumber = numberInput.value;
    lastId = 0;
    list.textContent = "";
    empty.hidden = false;
  });

  document.getElementById("compose").addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.textContent = "";
    var text = document.getElementById("text");
    fetch("/simulator/api/sms", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Simulator-Token": token },
      body: JSON.stringify({ from: numberInput.value, text: text.value })
    }).then(function (response) {
      if (response.ok) { text.value = ""; return; }
      return response.text().then(function (body) { errorBox.textContent = body; });
    }).catch(function (err) { errorBox.textContent = String(err); });
  });

  poll();
})();
