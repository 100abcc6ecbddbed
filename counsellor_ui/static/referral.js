/*
 * The referral panel: the service triage proposes and the others of its kind to pick
 * from, booking one at a free time, and the conversation's referrals with their
 * status (attended, did not come, cancel). Follows `referral.updated` live.
 */
import { $, _, api, errorText, fmt, formatSlot, h, label } from "./core.js";
import { referralText } from "./timeline.js";

const ctx = { reload: async () => {} };
const local = { conv: null, proposal: null, referTo: undefined, service: null, slots: [], seq: 0 };
const NEXT = { proposed: ["cancelled"], booked: ["attended", "no_show", "cancelled"] };
const ACTION_TEXT = () => ({ attended: _("Attended"), no_show: _("Did not come"), cancelled: _("Cancel") });

export function init(hooks) {
  Object.assign(ctx, hooks);
  $("referral-body").addEventListener("click", onClick);
  $("referral-body").addEventListener("change", (event) => {
    if (event.target.id === "referral-service") chooseService(event.target.value);
  });
}

/** The service shown (for the {service} placeholder of canned replies). */
export function serviceName() {
  return local.service ? local.service.name : "";
}

export async function open(conv) {
  local.conv = conv;
  $("referral-msg").textContent = "";
  renderList(conv);
  await loadProposal();
}

/** The conversation was reloaded: its referrals may have changed, and after a triage
 * override the kind of service too (then the proposal is asked for again). */
export function refresh(conv) {
  local.conv = conv;
  renderList(conv);
  if (referTo(conv) !== local.referTo) loadProposal();
}

/** `referral.updated`: a booking anywhere may have taken a slot shown here. */
export function referralChanged(payload) {
  const referral = payload && payload.referral;
  if (local.service && referral && referral.service_id === local.service.id) chooseService(local.service.id);
}

function referTo(conv) {
  return (conv && ((conv.triage && conv.triage.refer_to) || conv.refer_to)) || null;
}

async function loadProposal() {
  const conv = local.conv;
  const seq = ++local.seq;
  local.referTo = referTo(conv);
  try {
    const proposal = await api("GET", `/api/conversations/${conv.id}/referral-proposal`);
    if (seq !== local.seq) return;
    local.proposal = proposal;
    local.service = proposal.service || null;
    local.slots = proposal.slots || [];
    renderProposal();
  } catch (err) {
    if (seq !== local.seq) return;
    local.proposal = null;
    local.service = null;
    $("referral-proposal").replaceChildren(h("p", { class: "hint", text: err.status === 404 ? _("No referral proposed.") : errorText(err) }));
  }
}

async function chooseService(serviceId) {
  const seq = ++local.seq;
  try {
    const service = await api("GET", `/api/referral-services/${encodeURIComponent(serviceId)}`);
    if (seq !== local.seq) return;
    local.service = service;
    local.slots = service.free_slots || [];
    renderProposal();
  } catch (err) {
    if (seq === local.seq) $("referral-msg").textContent = errorText(err);
  }
}

function renderProposal() {
  const proposed = local.proposal && local.proposal.service;
  const service = local.service;
  if (!proposed || !service) {
    $("referral-proposal").replaceChildren(h("p", { class: "hint", text: _("No referral proposed.") }));
    return;
  }
  const choices = [proposed, ...(local.proposal.alternatives || [])];
  const serviceSelect = h("select", { id: "referral-service", "aria-describedby": "referral-service-info" },
    ...choices.map((s) => h("option", {
      value: s.id,
      selected: s.id === service.id,
      text: s.id === proposed.id ? fmt(_("{name} (proposed)"), { name: s.name || s.id }) : s.name || s.id,
    })));
  const previous = $("referral-slot") ? $("referral-slot").value : "";
  const slotSelect = h("select", { id: "referral-slot" },
    h("option", { value: "", text: _("No time yet (propose only)") }),
    ...local.slots.map((s) => h("option", { value: s, text: formatSlot(s), selected: s === previous })));
  $("referral-proposal").replaceChildren(...[
    h("label", { for: "referral-service", text: _("Service") }), serviceSelect,
    h("p", { class: "referral-service", text: service.name || service.id }),
    h("p", { id: "referral-service-info", class: "hint", text: [service.address, service.phone].filter(Boolean).join(" · ") }),
    h("label", { for: "referral-slot", text: _("Appointment") }), slotSelect,
    local.slots.length ? null : h("p", { class: "hint", text: _("No free times at this service.") }),
    h("div", { class: "row" }, h("button", { type: "button", class: "btn btn-small", "data-action": "book", text: _("Book referral") })),
  ].filter(Boolean));
}

function renderList(conv) {
  const referrals = conv.referrals || [];
  $("referral-list").replaceChildren(...referrals.map((r) => h("li", { class: `referral referral-${r.status}` },
    h("span", { class: "referral-what", text: referralText(r) }), " ",
    h("span", { class: `badge referral-status status-${r.status}`, text: label("referral", r.status) }),
    ...(NEXT[r.status] || []).map((next) => h("button", {
      type: "button", class: "btn btn-small btn-quiet", "data-action": next, "data-id": r.id,
      "aria-label": `${ACTION_TEXT()[next]}: ${referralText(r)}`, text: ACTION_TEXT()[next],
    })))));
}

async function onClick(event) {
  const button = event.target.closest("button[data-action]");
  if (!button || !local.conv) return;
  const msg = $("referral-msg");
  msg.textContent = "";
  try {
    if (button.dataset.action === "book") {
      const slot = $("referral-slot").value || undefined;
      await api("POST", `/api/conversations/${local.conv.id}/referrals`, { service_id: local.service.id, slot });
      if (slot) chooseService(local.service.id); // that time is no longer free
    } else {
      await api("PUT", `/api/referrals/${button.dataset.id}`, { status: button.dataset.action });
    }
    await ctx.reload();
    msg.textContent = _("Saved.");
  } catch (err) {
    msg.textContent = errorText(err);
    if (err.code === "slot_taken" && local.service) chooseService(local.service.id);
  }
}
