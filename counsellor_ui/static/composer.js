/*
 * The composer: reply or internal note, the SMS segment counter, canned replies
 * with placeholders, and the typing indicator both ways.
 */
import { $, _, api, errorText, fmt } from "./core.js";
import { state } from "./state.js";
import { upsertMessage } from "./timeline.js";

const MAX_LEN = 4000;
const TYPING_IDLE_MS = 2500;
const REMOTE_TYPING_TTL_MS = 8000;
const local = { canned: [], typing: false, typingTimer: null, remoteTimer: null, segmentsTimer: null, serviceName: () => "" };

export function init(hooks) {
  Object.assign(local, hooks);
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
  $("canned-insert").addEventListener("click", insertCanned);
  renderMode();
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
  $("composer-send").disabled = true;
  $("conv-error").textContent = "";
  try {
    const data = await api("POST", `/api/conversations/${encodeURIComponent(conv.id)}/messages`, { text, internal });
    setLocalTyping(false);
    input.value = "";
    updateSegments();
    if (data.message && state.current && state.current.id === conv.id) upsertMessage(data.message);
  } catch (err) {
    $("conv-error").textContent = errorText(err);
  } finally {
    $("composer-send").disabled = false;
    input.focus();
  }
}

export function renderMode() {
  const internal = $("composer-internal").checked;
  $("composer").classList.toggle("is-internal", internal);
  $("composer-send").textContent = internal ? _("Save note") : _("Send");
  $("composer-hint").textContent = internal ? _("Internal note – only counsellors see it. Ctrl+Enter saves.") : _("Ctrl+Enter sends");
  updateSegments();
}

/** The SMS segment counter, for replies on SMS. */
function updateSegments() {
  const out = $("sms-segments");
  const conv = state.current;
  clearTimeout(local.segmentsTimer);
  if (!conv || conv.channel !== "sms" || $("composer-internal").checked) {
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

export async function loadCanned() {
  try {
    const data = await api("GET", `/api/canned-replies?language=${encodeURIComponent(document.documentElement.lang)}`);
    local.canned = data.items || [];
    const select = $("canned-select");
    select.replaceChildren(new Option(_("Choose…"), ""), ...local.canned.map((r) => new Option(r.title, r.id)));
  } catch (_err) { /* no canned replies */ }
}

function insertCanned() {
  const reply = local.canned.find((r) => r.id === $("canned-select").value);
  if (!reply || !state.current) return;
  const contact = state.current.contact || {};
  const text = fmt(reply.text, {
    name: contact.name || _("you"),
    counsellor: (state.me && state.me.name) || "",
    service: local.serviceName() || _("the guidance service"),
  });
  const input = $("composer-text");
  const start = input.selectionStart ?? input.value.length;
  input.setRangeText(text, start, input.selectionEnd ?? start, "end");
  input.focus();
  onInput();
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
