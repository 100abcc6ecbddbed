/*
 * The composer: reply or internal note, where the reply goes ("Send as": the
 * conversation's channel or another known address of the person), an e-mail's
 * subject, the SMS segment counter, and the typing indicator both ways. Canned
 * replies are in canned.js. The target controls are built here, so the template
 * only has to hold the form.
 */
import { $, _, api, errorText, fmt, h, label } from "./core.js";
import { state } from "./state.js";
import { upsertMessage } from "./timeline.js";

const MAX_LEN = 4000;
const MAX_SUBJECT = 200;
const TYPING_IDLE_MS = 2500;
const REMOTE_TYPING_TTL_MS = 8000;
const SEGMENTED = new Set(["sms", "voice"]); // a reply on a phone conversation goes out as SMS
const local = { typing: false, typingTimer: null, remoteTimer: null, segmentsTimer: null, targets: [], targetsFor: null, targetsKey: null, targetsSeq: 0 };

export function init() {
  buildTargetControls();
  const input = $("composer-text");
  input.setAttribute("maxlength", String(MAX_LEN));
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    send();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    }
  });
  input.addEventListener("input", onInput);
  input.addEventListener("blur", () => setLocalTyping(false));
  $("composer-internal").addEventListener("change", () => {
    renderMode();
    onInput();
  });
  $("composer-address").addEventListener("change", () => renderMode());
  renderMode();
}

/** "Send as" and the subject, before the text box. */
function buildTargetControls() {
  const row = h("div", { class: "composer-tools composer-target", id: "composer-target" },
    h("label", { for: "composer-address", text: _("Send as") }),
    h("select", { id: "composer-address" }),
    h("span", { id: "composer-subject-row", hidden: true },
      h("label", { for: "composer-subject", text: _("Subject") }), " ",
      h("input", { id: "composer-subject", type: "text", maxlength: String(MAX_SUBJECT), placeholder: "Re: …", autocomplete: "off" })));
  const text = $("composer-text");
  const before = document.querySelector(`label[for="composer-text"]`) || text;
  before.parentNode.insertBefore(row, before);
}

export function focus(internal) {
  if (!state.current) return;
  $("composer-internal").checked = internal;
  renderMode();
  $("composer-text").focus();
}

async function send() {
  const conv = state.current;
  const input = $("composer-text");
  const text = input.value.trim();
  if (!conv || !text) return;
  const internal = $("composer-internal").checked;
  const body = { text, internal };
  const target = internal ? null : selectedTarget();
  // Only another address is named: the conversation's own goes where it always went.
  if (target && !target.default) body.address_id = target.id;
  const subject = $("composer-subject").value.trim();
  if (target && target.subject && subject) body.subject = subject;
  $("composer-send").disabled = true;
  $("conv-error").textContent = "";
  try {
    const data = await api("POST", `/api/conversations/${encodeURIComponent(conv.id)}/messages`, body);
    setLocalTyping(false);
    input.value = "";
    $("composer-subject").value = "";
    updateSegments();
    if (data.message && state.current && state.current.id === conv.id) upsertMessage(data.message);
  } catch (err) {
    $("conv-error").textContent = composerError(err);
    if (err.code === "opted_out" || err.code === "address_not_of_contact") loadTargets(conv, true);
  } finally {
    $("composer-send").disabled = false;
    input.focus();
  }
}

/** The composer's errors in the interface's language; the server's text otherwise. */
function composerError(err) {
  const texts = {
    too_long: _("The message is too long for this channel: shorten it or send it in parts."),
    opted_out: _("The person has opted out of messages on this address. Choose another under “Send as”."),
    address_not_of_contact: _("That address is not this person's. Choose another under “Send as”."),
    subject_too_long: _("The subject is too long."),
  };
  const known = err && texts[err.code];
  // The channel's own reason names the limit ("at most 1600 characters").
  if (known && err.code === "too_long" && err.message) return `${known} (${err.message})`;
  return known || errorText(err);
}

export function renderMode() {
  const internal = $("composer-internal").checked;
  $("composer").classList.toggle("is-internal", internal);
  $("composer-send").textContent = internal ? _("Save note") : _("Send");
  $("composer-hint").textContent = internal ? _("Internal note – only counsellors see it. Ctrl+Enter saves.") : _("Ctrl+Enter sends");
  if (state.current) loadTargets(state.current, false);
  const target = selectedTarget();
  $("composer-target").hidden = internal;
  $("composer-subject-row").hidden = internal || !(target && target.subject);
  updateSegments();
}

/** The channel a reply goes out on: the chosen address's, else the conversation's. */
function targetChannel() {
  const target = selectedTarget();
  return target ? target.channel : state.current && state.current.channel;
}

function selectedTarget() {
  const value = $("composer-address").value;
  return local.targets.find((t) => String(t.id) === value) || null;
}

/** The person's addresses, fetched again when the conversation or its contact's
 * addresses change (a merge adds some, a STOP opts one out). */
async function loadTargets(conv, force) {
  const key = `${conv.id}|${JSON.stringify((conv.contact || {}).addresses || [])}`;
  if (!force && key === local.targetsKey) return;
  local.targetsKey = key;
  const seq = ++local.targetsSeq;
  const conversationChanged = local.targetsFor !== conv.id;
  let items = [];
  try {
    items = (await api("GET", `/api/conversations/${encodeURIComponent(conv.id)}/addresses`)).items || [];
  } catch (_err) { /* the conversation's own channel only */ }
  if (seq !== local.targetsSeq) return;
  renderTargets(conv, items, conversationChanged);
}

function targetText(t) {
  const parts = [label("channel", t.channel)];
  // A chat's address is the visitor's id: nothing a counsellor needs to read.
  if (t.channel !== "chat") parts.push(t.address);
  let text = parts.join(": ");
  if (t.default) text += ` (${_("this conversation")})`;
  if (t.opted_out) text += ` (${_("opted out")})`;
  return text;
}

function renderTargets(conv, items, conversationChanged) {
  const select = $("composer-address");
  const previous = conversationChanged ? "" : select.value;
  // The same number on "sms" and "voice" is one phone: offer it once, as SMS.
  const smsNumbers = new Set(items.filter((t) => t.channel === "sms").map((t) => t.address));
  const shown = items.filter((t) => t.default || !(t.channel === "voice" && smsNumbers.has(t.address)));
  local.targets = shown;
  local.targetsFor = conv.id;
  const options = shown.map((t) => h("option", { value: String(t.id), text: targetText(t), disabled: !t.sendable && !t.default }));
  if (!shown.some((t) => t.default)) options.unshift(h("option", { value: "", text: `${label("channel", conv.channel)} (${_("this conversation")})` }));
  select.replaceChildren(...options);
  const keep = shown.find((t) => String(t.id) === previous && (t.sendable || t.default));
  const fallback = shown.find((t) => t.default);
  select.value = keep ? previous : fallback ? String(fallback.id) : "";
  if (conversationChanged) $("composer-subject").value = "";
  renderMode();
}

/** The SMS segment counter, for replies that go out as SMS. */
function updateSegments() {
  const out = $("sms-segments");
  const conv = state.current;
  clearTimeout(local.segmentsTimer);
  if (!conv || !SEGMENTED.has(targetChannel()) || $("composer-internal").checked) {
    out.textContent = "";
    return;
  }
  const text = $("composer-text").value;
  if (!text) {
    out.textContent = "";
    return;
  }
  local.segmentsTimer = setTimeout(async () => {
    try {
      const data = await api("GET", `/api/sms/segments?text=${encodeURIComponent(text)}`);
      out.textContent = fmt(_("{chars} characters · {segments} SMS ({encoding})"), { chars: data.chars ?? text.length, segments: data.segments ?? "?", encoding: data.encoding || "" });
    } catch (_err) {
      out.textContent = "";
    }
  }, 200);
}

function onInput() {
  updateSegments();
  if ($("composer-internal").checked || !$("composer-text").value) {
    setLocalTyping(false);
    return;
  }
  setLocalTyping(true);
  clearTimeout(local.typingTimer);
  local.typingTimer = setTimeout(() => setLocalTyping(false), TYPING_IDLE_MS);
}

export function setLocalTyping(on) {
  if (!on) clearTimeout(local.typingTimer);
  if (local.typing === on) return;
  local.typing = on;
  if (state.socket && state.socket.connected && state.current) {
    state.socket.emit("typing", { conversation_id: state.current.id, typing: on });
  }
}

export function showTyping(on) {
  clearTimeout(local.remoteTimer);
  $("conv-typing").textContent = on ? _("The contact is writing…") : "";
  if (on) local.remoteTimer = setTimeout(() => showTyping(false), REMOTE_TYPING_TTL_MS);
}
