/*
 * The open conversation: load and reload it, its header (status, assignee, actions)
 * and triage summary, and the claim, release and close actions.
 */
import { $, _, api, errorText, fmt, formatWaiting, h, label, reasonsOf } from "./core.js";
import { isMine, state } from "./state.js";
import * as canned from "./canned.js";
import * as composer from "./composer.js";
import * as lists from "./lists.js";
import * as panels from "./panels.js";
import * as phone from "./phone.js";
import * as referral from "./referral.js";
import { renderTimeline } from "./timeline.js";

export async function openConversation(id) {
  const seq = ++state.openSeq;
  // Until the other conversation is shown, its actions must not hit this one.
  if (state.current && state.current.id !== id) setActionsEnabled(false);
  composer.setLocalTyping(false);
  $("conv-error").textContent = "";
  try {
    const data = await api("GET", `/api/conversations/${encodeURIComponent(id)}`);
    if (seq !== state.openSeq) return;
    state.current = data;
    state.alerts.delete(data.id);
    state.unread.delete(data.id);
    const banner = $("alert-banner").querySelector("button[data-id]");
    if (banner && lists.decodeId(banner.dataset.id) === data.id) $("alert-banner").hidden = true;
    history.replaceState(null, "", `#conversation-${data.id}`);
    composer.showTyping(false);
    renderConversation();
    lists.renderLists();
    panels.open(data);
    referral.open(data);
    phone.open(data);
    canned.open(data);
    $("composer-text").focus();
  } catch (err) {
    if (seq !== state.openSeq) return;
    $("conv-error").textContent = errorText(err);
    setActionsEnabled(true);
  }
}

export async function reloadCurrent() {
  if (!state.current) return;
  const id = state.current.id;
  try {
    const data = await api("GET", `/api/conversations/${encodeURIComponent(id)}`);
    if (state.current && state.current.id === id) {
      state.current = data;
      renderConversation();
      panels.refresh(data);
      referral.refresh(data);
    }
  } catch (_err) { /* keep what we have */ }
}

function renderConversation() {
  const conv = state.current;
  $("conv-placeholder").hidden = Boolean(conv);
  $("conv-view").hidden = !conv;
  $("side-panel").hidden = !conv;
  if (!conv) return;
  renderConvHeader(conv);
  renderTriage(conv);
  renderTimeline(conv);
  composer.renderMode();
}

function assigneeText(assigneeId) {
  if (assigneeId === null || assigneeId === undefined) return "";
  if (state.me && assigneeId === state.me.id) return _("Yours");
  const colleague = state.team.find((c) => c.id === assigneeId);
  return colleague ? fmt(_("With {name}"), { name: colleague.name }) : _("Claimed by a colleague");
}

export function renderConvHeader(conv) {
  const contact = conv.contact || {};
  $("conv-title").textContent = contact.name || _("Anonymous");
  const addresses = (contact.addresses || []).map((a) => `${label("channel", a.channel)}: ${a.address}`);
  $("conv-sub").textContent = [label("channel", conv.channel), conv.language ? label("language", conv.language) : null, ...addresses].filter(Boolean).join(" · ");
  const badges = $("conv-badges");
  badges.replaceChildren();
  if (conv.urgent) badges.append(h("span", { class: "badge badge-urgent", text: _("URGENT") }));
  badges.append(h("span", { class: `badge status-${conv.status}`, text: label("status", conv.status) }));
  if (conv.level) badges.append(h("span", { class: `badge level-${conv.level}`, text: label("level", conv.level) }));
  if (conv.assignee_id !== null && conv.assignee_id !== undefined) badges.append(h("span", { class: "badge badge-assignee", text: assigneeText(conv.assignee_id) }));
  if (conv.waiting_since && conv.status === "waiting") {
    badges.append(h("span", { class: "waiting", "data-since": conv.waiting_since, text: fmt(_("waiting {time}"), { time: formatWaiting(conv.waiting_since) }) }));
  }
  const mine = isMine(conv);
  const closed = conv.status === "closed";
  setActionsEnabled(true);
  $("btn-claim").hidden = mine || closed;
  $("btn-release").hidden = !mine || closed;
  $("btn-close").hidden = closed;
}

function renderTriage(conv) {
  const triage = conv.triage || {};
  const parts = [];
  if (triage.urgent) parts.push(_("URGENT"));
  if (triage.level) parts.push(label("level", triage.level));
  if (triage.refer_to) parts.push(`${_("Refer to")}: ${label("refer", triage.refer_to)}`);
  $("triage-summary").textContent = parts.join(" · ");
  const reasons = reasonsOf(triage);
  $("triage-reasons").replaceChildren(...reasons.map((r) => h("li", { text: String(r) })));
  if (!reasons.length) $("triage-reasons").append(h("li", { class: "muted", text: _("No reasons recorded.") }));
  $("triage").classList.toggle("urgent", Boolean(triage.urgent || conv.urgent));
}

export async function runAction(action) {
  const conv = state.current;
  if (!conv) return;
  if (action === "close" && !window.confirm(_("Close this conversation?"))) return;
  $("conv-error").textContent = "";
  try {
    await api("POST", `/api/conversations/${encodeURIComponent(conv.id)}/${action}`);
    await reloadCurrent();
    await Promise.all([lists.loadQueue(), lists.loadMine()]);
  } catch (err) {
    $("conv-error").textContent = errorText(err);
    if (err.status === 409) reloadCurrent();
  }
}

function setActionsEnabled(on) {
  for (const id of ["btn-claim", "btn-release", "btn-close"]) $(id).disabled = !on;
}
