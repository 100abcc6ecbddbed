/*
 * The side panels of an open conversation: the contact (profile, addresses, history,
 * merge), transfer to a colleague, triage override and the referral.
 */
import { $, _, api, DESTINATIONS, errorText, fmt, formatSlot, formatTime, h, label, LEVELS, options } from "./core.js";

const ctx = { me: null, reload: async () => {}, open: () => {}, rerender: () => {}, lists: async () => {} };
const state = { conv: null, contact: null, proposal: null, referrals: new Map() };

export function init(hooks) {
  Object.assign(ctx, hooks);
  $("contact-form").addEventListener("submit", saveContact);
  $("merge-form").addEventListener("submit", mergeContact);
  $("transfer-form").addEventListener("submit", transfer);
  $("override-form").addEventListener("submit", overrideTriage);
  $("contact-history").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-id]");
    if (button) ctx.open(Number(button.dataset.id));
  });
  $("referral-body").addEventListener("click", onReferralClick);
  options($("override-level"), LEVELS.map((l) => [l, label("level", l)]), "");
  options($("override-refer"), [["", _("No referral")], ...DESTINATIONS.map((d) => [d, label("refer", d)])], "");
}

export function setColleagues(colleagues) {
  const select = $("transfer-to");
  const chosen = select.value;
  options(select, colleagues.map((c) => [c.id, `${c.name} – ${label("presence", c.presence)} (${fmt(_("{n} of {max}"), { n: c.handling, max: c.capacity })})`]), chosen);
}

export function referralsOf(conversationId) {
  return state.referrals.get(conversationId) || [];
}

export function serviceName() {
  const service = proposalService();
  return service ? service.name : "";
}

/** A conversation was opened: fill every panel. */
export async function open(conv) {
  state.conv = conv;
  state.proposal = null;
  for (const id of ["contact-msg", "merge-msg", "override-msg"]) $(id).textContent = "";
  $("override-reason").value = "";
  fillOverride(conv);
  await Promise.all([loadContact(conv.contact && conv.contact.id), loadProposal(conv.id)]);
}

/** The same conversation was reloaded: keep what the counsellor is typing. */
export function refresh(conv) {
  state.conv = conv;
  if (!state.contact || !conv.contact || state.contact.id !== conv.contact.id) loadContact(conv.contact && conv.contact.id);
}

function fillOverride(conv) {
  const triage = conv.triage || {};
  $("override-level").value = triage.level || "brief";
  $("override-refer").value = triage.refer_to || "";
  $("override-urgent").checked = Boolean(triage.urgent || conv.urgent);
}

// ---------------------------------------------------------------- contact

async function loadContact(contactId) {
  if (!contactId) return;
  try {
    renderContact(await api("GET", `/api/contacts/${contactId}`));
  } catch (err) {
    $("contact-msg").textContent = errorText(err);
  }
}

function renderContact(contact) {
  state.contact = contact;
  $("contact-name").value = contact.name || "";
  $("contact-profile").value = contact.profile || "";
  $("contact-title").textContent = fmt(_("Contact no. {id}"), { id: contact.id });
  $("contact-addresses").replaceChildren(...(contact.addresses || []).map((a) => h("li", {},
    h("span", { class: "badge", text: label("channel", a.channel) }), " ",
    h("span", { class: "address", text: a.address }),
    a.opted_out ? h("span", { class: "hint", text: ` · ${_("opted out")}` }) : null)));
  const earlier = (contact.conversations || []).filter((c) => !state.conv || c.id !== state.conv.id);
  $("contact-history").replaceChildren(...earlier.map((c) => h("li", {},
    h("button", { type: "button", class: "link", "data-id": c.id },
      `${formatTime(c.created_at)} · ${label("channel", c.channel)} · ${label("status", c.status)}`,
      c.preview ? h("span", { class: "history-preview", text: c.preview }) : null))));
  if (!earlier.length) $("contact-history").append(h("li", { class: "hint", text: _("None.") }));
}

async function saveContact(event) {
  event.preventDefault();
  if (!state.contact) return;
  const msg = $("contact-msg");
  try {
    const contact = await api("PATCH", `/api/contacts/${state.contact.id}`, { name: $("contact-name").value, profile: $("contact-profile").value });
    renderContact(contact);
    msg.textContent = _("Saved.");
    if (state.conv) {
      state.conv.contact = { ...state.conv.contact, name: contact.name, profile: contact.profile };
      $("conv-title").textContent = contact.name || _("Anonymous");
    }
  } catch (err) {
    msg.textContent = errorText(err);
  }
}

async function mergeContact(event) {
  event.preventDefault();
  if (!state.contact) return;
  const other = Number($("merge-other").value);
  const msg = $("merge-msg");
  if (!Number.isInteger(other) || other <= 0) {
    msg.textContent = _("Give the other contact's number.");
    return;
  }
  if (!window.confirm(fmt(_("Merge contact no. {other} into this one? This cannot be undone."), { other }))) return;
  try {
    const contact = await api("POST", `/api/contacts/${state.contact.id}/merge`, { other_id: other });
    renderContact(contact);
    $("merge-other").value = "";
    msg.textContent = _("Merged.");
    await ctx.reload();
  } catch (err) {
    msg.textContent = errorText(err);
  }
}

// ---------------------------------------------------------------- transfer, triage

async function transfer(event) {
  event.preventDefault();
  if (!state.conv) return;
  const to = Number($("transfer-to").value);
  if (!to) return;
  try {
    await api("POST", `/api/conversations/${state.conv.id}/transfer`, { to });
    await ctx.reload();
    await ctx.lists();
  } catch (err) {
    $("conv-error").textContent = errorText(err);
  }
}

async function overrideTriage(event) {
  event.preventDefault();
  if (!state.conv) return;
  const msg = $("override-msg");
  const reason = $("override-reason").value.trim();
  if (!reason) {
    msg.textContent = _("Give a reason for the change.");
    $("override-reason").focus();
    return;
  }
  try {
    await api("PUT", `/api/conversations/${state.conv.id}/triage`, {
      level: $("override-level").value,
      refer_to: $("override-refer").value || null,
      urgent: $("override-urgent").checked,
      reason,
    });
    $("override-reason").value = "";
    msg.textContent = _("Saved.");
    await ctx.reload();
  } catch (err) {
    msg.textContent = errorText(err);
  }
}

// ---------------------------------------------------------------- referral

function proposalService() {
  const p = state.proposal;
  if (!p) return null;
  return p.service || (p.proposal && p.proposal.service) || (Array.isArray(p.services) ? p.services[0] : null);
}

async function loadProposal(conversationId) {
  const body = $("referral-body");
  try {
    state.proposal = await api("GET", `/api/conversations/${conversationId}/referral-proposal`);
    if (Array.isArray(state.proposal.referrals)) {
      state.referrals.set(conversationId, state.proposal.referrals.map(referralEntry));
      ctx.rerender();
    }
    renderProposal();
  } catch (err) {
    state.proposal = null;
    body.replaceChildren(h("p", { class: "hint", text: err.status === 404 ? _("No referral proposed.") : errorText(err) }));
  }
}

function referralEntry(r) {
  return {
    id: r.id,
    service: r.service_name || (r.service && r.service.name) || r.service_id,
    slot: r.slot,
    status: r.status,
    at: r.created_at || r.at || new Date().toISOString(),
  };
}

function renderProposal() {
  const body = $("referral-body");
  const service = proposalService();
  if (!service) {
    body.replaceChildren(h("p", { class: "hint", text: _("No referral proposed.") }));
    return;
  }
  const slots = state.proposal.slots || service.slots || [];
  const slotSelect = h("select", { id: "referral-slot" },
    h("option", { value: "", text: _("No time") }),
    ...slots.map((s) => h("option", { value: typeof s === "string" ? s : s.start || s.slot, text: formatSlot(typeof s === "string" ? s : s.start || s.slot) })));
  body.replaceChildren(
    h("p", { class: "referral-service", text: service.name || service.id }),
    h("p", { class: "hint", text: [service.address, service.phone].filter(Boolean).join(" · ") }),
    h("label", { for: "referral-slot", text: _("Appointment") }), slotSelect,
    h("div", { class: "row" }, h("button", { type: "button", class: "btn btn-small", "data-action": "book", text: _("Book referral") })),
    h("p", { id: "referral-msg", class: "hint", role: "status" }),
    h("ul", { class: "plain", id: "referral-list" }, ...referralsOf(state.conv.id).map((r) => h("li", {},
      h("span", { text: [r.service, formatSlot(r.slot), label("referral", r.status)].filter(Boolean).join(" · ") }), " ",
      r.status !== "cancelled" && r.id ? h("button", { type: "button", class: "btn btn-small", "data-action": "cancel", "data-id": r.id, text: _("Cancel") }) : null))),
  );
}

async function onReferralClick(event) {
  const button = event.target.closest("button[data-action]");
  if (!button || !state.conv) return;
  const msg = $("referral-msg");
  try {
    if (button.dataset.action === "book") {
      const service = proposalService();
      const slot = $("referral-slot").value || undefined;
      const referral = await api("POST", `/api/conversations/${state.conv.id}/referrals`, { service_id: service.id, slot });
      const list = referralsOf(state.conv.id).concat(referralEntry({ service_name: service.name, ...(referral.referral || referral) }));
      state.referrals.set(state.conv.id, list);
    } else {
      await api("PUT", `/api/referrals/${button.dataset.id}`, { status: "cancelled" });
      for (const r of referralsOf(state.conv.id)) if (String(r.id) === button.dataset.id) r.status = "cancelled";
    }
    renderProposal();
    ctx.rerender();
    $("referral-msg").textContent = _("Saved.");
  } catch (err) {
    if (msg) msg.textContent = errorText(err);
  }
}
