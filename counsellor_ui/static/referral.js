/*
 * The referral panel: the service triage proposes, booking it at a free time, and
 * the conversation's referrals with their status (attended, did not come, cancel).
 */
import { $, _, api, errorText, formatSlot, h, label } from "./core.js";
import { referralText } from "./timeline.js";

const ctx = { reload: async () => {} };
const local = { conv: null, proposal: null };
const NEXT = { proposed: ["cancelled"], booked: ["attended", "no_show", "cancelled"] };
const ACTION_TEXT = () => ({ attended: _("Attended"), no_show: _("Did not come"), cancelled: _("Cancel") });

export function init(hooks) {
  Object.assign(ctx, hooks);
  $("referral-body").addEventListener("click", onClick);
}

export function serviceName() {
  const service = local.proposal && local.proposal.service;
  return service ? service.name : "";
}

export async function open(conv) {
  local.conv = conv;
  local.proposal = null;
  $("referral-msg").textContent = "";
  renderList(conv);
  try {
    local.proposal = await api("GET", `/api/conversations/${conv.id}/referral-proposal`);
    renderProposal();
  } catch (err) {
    $("referral-proposal").replaceChildren(h("p", { class: "hint", text: err.status === 404 ? _("No referral proposed.") : errorText(err) }));
  }
}

/** The conversation was reloaded: its referrals may have changed. */
export function refresh(conv) {
  local.conv = conv;
  renderList(conv);
}

function renderProposal() {
  const service = local.proposal && local.proposal.service;
  if (!service) {
    $("referral-proposal").replaceChildren(h("p", { class: "hint", text: _("No referral proposed.") }));
    return;
  }
  const slots = local.proposal.slots || [];
  const slotSelect = h("select", { id: "referral-slot" },
    h("option", { value: "", text: _("No time yet (propose only)") }),
    ...slots.map((s) => h("option", { value: s, text: formatSlot(s) })));
  $("referral-proposal").replaceChildren(
    h("p", { class: "referral-service", text: service.name || service.id }),
    h("p", { class: "hint", text: [service.address, service.phone].filter(Boolean).join(" · ") }),
    h("label", { for: "referral-slot", text: _("Appointment") }), slotSelect,
    h("div", { class: "row" }, h("button", { type: "button", class: "btn btn-small", "data-action": "book", text: _("Book referral") })),
  );
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
      const service = local.proposal.service;
      const slot = $("referral-slot").value || undefined;
      await api("POST", `/api/conversations/${local.conv.id}/referrals`, { service_id: service.id, slot });
    } else {
      await api("PUT", `/api/referrals/${button.dataset.id}`, { status: button.dataset.action });
    }
    await ctx.reload();
    msg.textContent = _("Saved.");
  } catch (err) {
    msg.textContent = errorText(err);
  }
}
