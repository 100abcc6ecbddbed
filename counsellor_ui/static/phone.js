/*
 * Phone conversations: put the waiting caller through to the counsellor ("Connect
 * call") or call the person back ("Call back"), through the server's call endpoint.
 */
import { $, _, api, errorText, fmt } from "./core.js";

const ctx = { reload: async () => {} };
const local = { conv: null, action: "call_back" };
const STORE_KEY = "eg_inbox_call_to";

export function init(hooks) {
  Object.assign(ctx, hooks);
  $("call-form").addEventListener("submit", placeCall);
  try {
    $("call-to").value = localStorage.getItem(STORE_KEY) || "";
  } catch (_err) { /* no storage */ }
}

export async function open(conv) {
  local.conv = conv;
  const phone = conv.channel === "voice";
  $("phone-panel").hidden = !phone;
  if (!phone) return;
  $("call-msg").textContent = "";
  await loadState(conv.id);
}

async function loadState(conversationId) {
  try {
    const state = await api("GET", `/api/conversations/${conversationId}/call`);
    local.action = state.action === "connect" ? "connect" : "call_back";
  } catch (_err) {
    local.action = "call_back";
  }
  $("call-button").textContent = local.action === "connect" ? _("Connect call") : _("Call back");
  $("call-state").textContent = local.action === "connect"
    ? _("The caller is waiting in the phone queue.")
    : _("The caller is not on the line: call them back.");
}

async function placeCall(event) {
  event.preventDefault();
  if (!local.conv) return;
  const to = $("call-to").value.trim();
  const msg = $("call-msg");
  if (!to) {
    msg.textContent = _("Give your phone number (or client:name) first.");
    $("call-to").focus();
    return;
  }
  try {
    localStorage.setItem(STORE_KEY, to);
  } catch (_err) { /* no storage */ }
  $("call-button").disabled = true;
  try {
    const result = await api("POST", `/api/conversations/${local.conv.id}/call`, { to });
    msg.textContent = result.action === "connect"
      ? fmt(_("Putting the caller through to {to}."), { to: result.to })
      : fmt(_("Calling the person back; when they answer, {to} rings."), { to: result.to });
    await ctx.reload();
  } catch (err) {
    msg.textContent = err.code === "not_yours" ? _("Claim the conversation before you take its call.") : errorText(err);
  } finally {
    $("call-button").disabled = false;
  }
}
