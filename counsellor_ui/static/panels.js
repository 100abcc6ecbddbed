/*
 * The side panels of an open conversation: the contact (name, postcode, profile,
 * addresses, history, merge), transfer to a colleague and the triage override.
 * The referral and phone panels live in referral.js and phone.js.
 */
import { $, _, api, DESTINATIONS, errorText, fmt, formatTime, h, label, LEVELS, options } from "./core.js";

const ctx = { reload: async () => {}, open: () => {}, lists: async () => {} };
const state = { conv: null, contact: null };

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
  options($("override-level"), LEVELS.map((l) => [l, label("level", l)]), "");
  options($("override-refer"), [["", _("No referral")], ...DESTINATIONS.map((d) => [d, label("refer", d)])], "");
}

export function setColleagues(colleagues) {
  const select = $("transfer-to");
  const chosen = select.value;
  options(select, colleagues.map((c) => [c.id, `${c.name} – ${label("presence", c.presence)} (${fmt(_("{n} of {max}"), { n: c.handling, max: c.capacity })})`]), chosen);
}

/** A conversation was opened: fill every panel. */
export async function open(conv) {
  state.conv = conv;
  for (const id of ["contact-msg", "merge-msg", "override-msg"]) $(id).textContent = "";
  $("override-reason").value = "";
  fillOverride(conv);
  await loadContact(conv.contact && conv.contact.id);
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
  $("contact-postcode").value = contact.postcode || "";
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
  const postcode = $("contact-postcode").value.trim();
  if (postcode && !/^[0-9]{4}$/.test(postcode)) {
    msg.textContent = _("A postcode has four digits (or leave it empty).");
    $("contact-postcode").focus();
    return;
  }
  try {
    const contact = await api("PATCH", `/api/contacts/${state.contact.id}`, { name: $("contact-name").value, profile: $("contact-profile").value, postcode });
    renderContact(contact);
    msg.textContent = _("Saved.");
    if (state.conv) {
      state.conv.contact = { ...state.conv.contact, name: contact.name, profile: contact.profile, postcode: contact.postcode };
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
