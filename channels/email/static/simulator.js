// The e-mail simulator: writes to the service as a person's mail program would, and
// shows the service's mails to that address from the sandbox mailbox (polled every
// second). "in" is mail to the service, "out" mail from it, as in the SMS simulator.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="simulator-token"]').content;
  var labels = document.body.dataset;
  var list = document.getElementById("mails");
  var empty = document.getElementById("empty");
  var errorBox = document.getElementById("error");
  var fromInput = document.getElementById("from");
  var subjectInput = document.getElementById("subject");
  var textInput = document.getElementById("text");
  var toText = document.getElementById("to");
  var replying = document.getElementById("replying");
  var replyingSubject = document.getElementById("replying-subject");
  var lastId = 0;
  var shownAddress = addressOf(fromInput.value);
  var reply = null; // {message_id, to, subject} of the mail being answered

  function addressOf(value) {
    var bracketed = /<([^<>]+)>/.exec(value);
    return (bracketed ? bracketed[1] : value).trim().toLowerCase();
  }

  function line(tag, className, text) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    element.textContent = text; // textContent: what a mail says is never markup
    return element;
  }

  function render(mail, direction) {
    var item = document.createElement("li");
    item.className = direction;
    var who = direction === "in"
      ? labels.you + " → " + (mail.to || labels.serviceAddress)
      : labels.service + " · " + (mail.headers.From || "");
    item.appendChild(line("small", "", who + " · " + new Date(mail.at).toLocaleString()));
    item.appendChild(line("strong", "subject", mail.subject || ""));
    item.appendChild(line("div", "text", mail.text || ""));
    if (direction === "out") {
      var button = line("button", "reply", labels.reply);
      button.type = "button";
      button.addEventListener("click", function () { startReply(mail); });
      item.appendChild(button);
    }
    list.appendChild(item);
    empty.hidden = true;
  }

  function startReply(mail) {
    // A mail program answers to Reply-To (the service's plus-address with the token).
    var replyTo = addressOf(mail.headers["Reply-To"] || labels.serviceAddress);
    var subject = /^\s*re:/i.test(mail.subject) ? mail.subject : "Re: " + mail.subject;
    reply = { message_id: mail.message_id, to: replyTo };
    subjectInput.value = subject;
    replyingSubject.textContent = mail.subject;
    toText.textContent = replyTo;
    replying.hidden = false;
    textInput.focus();
  }

  function endReply() {
    reply = null;
    replying.hidden = true;
    replyingSubject.textContent = "";
    toText.textContent = labels.serviceAddress;
  }

  function poll() {
    var url = "/simulator/email.json?after=" + lastId + "&to=" + encodeURIComponent(shownAddress);
    fetch(url)
      .then(function (response) { return response.ok ? response.json() : { mails: [] }; })
      .then(function (data) {
        data.mails.forEach(function (mail) {
          lastId = Math.max(lastId, mail.id);
          render(mail, "out");
        });
      })
      .catch(function () { /* the next poll tries again */ })
      .finally(function () { setTimeout(poll, 1000); });
  }

  function showError(response) {
    return response.text().then(function (text) {
      try {
        errorBox.textContent = JSON.parse(text).error.message;
      } catch (err) {
        errorBox.textContent = text;
      }
    });
  }

  fromInput.addEventListener("change", function () {
    shownAddress = addressOf(fromInput.value);
    lastId = 0;
    list.textContent = "";
    empty.hidden = false;
    endReply();
  });

  document.getElementById("new-mail").addEventListener("click", function () {
    endReply();
    subjectInput.value = "";
  });

  document.getElementById("compose").addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.textContent = "";
    var body = { from: fromInput.value, subject: subjectInput.value, text: textInput.value };
    if (reply) {
      body.in_reply_to = reply.message_id;
      body.to = reply.to;
    }
    fetch("/simulator/api/email", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Simulator-Token": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) { return showError(response); }
      return response.json().then(function (sent) {
        render({ subject: body.subject, text: body.text, to: body.to, headers: {},
                 at: new Date().toISOString(), message_id: sent.message_id }, "in");
        textInput.value = "";
        subjectInput.value = "";
        endReply();
      });
    }).catch(function (err) { errorBox.textContent = String(err); });
  });

  poll();
})();
