/*
 * The conversation's timeline in one column: messages of every channel (chat, SMS
 * with delivery status, e-mail with the quoted part folded and attachments, calls
 * with duration, recording and transcript), triage decisions, notes, referrals.
 */
import { $, _, fmt, formatSeconds, formatSlot, formatTime, h, label, reasonsOf } from "./core.js";
import { state } from "./state.js";

const DELIVERY_RANK = { queued: 1, sent: 2, delivered: 3, failed: 3 };

/** Messages, triage decisions and referrals, in time order. */
function timelineEntries(conv) {
  const entries = (conv.messages || []).map((m) => ({ kind: "message", at: m.at, id: Number(m.id), item: m }));
  for (const a of conv.assessments || []) entries.push({ kind: "assessment", at: a.at, id: Number(a.message_id || 0) + 0.5, item: a });
  for (const r of conv.referrals || []) entries.push({ kind: "referral", at: r.created_at, id: Infinity, item: r });
  return entries.sort((a, b) => {
    if (a.kind === "message" && b.kind === "message") return a.id - b.id;
    return String(a.at || "").localeCompare(String(b.at || "")) || a.id - b.id;
  });
}

export function renderTimeline(conv) {
  const list = $("timeline");
  list.replaceChildren(...timelineEntries(conv).map(buildEntry));
  list.scrollTop = list.scrollHeight;
}

function buildEntry(entry) {
  if (entry.kind === "assessment") return buildAssessment(entry.item);
  if (entry.kind === "referral") return buildReferral(entry.item);
  return buildMessage(entry.item);
}

function buildAssessment(a) {
  const who = a.source === "counsellor" ? _("Triage changed by a counsellor") : _("Triage decision");
  const reasons = reasonsOf(a);
  const parts = [a.urgent ? _("URGENT") : null, label("level", a.level), a.refer_to ? `${_("Refer to")}: ${label("refer", a.refer_to)}` : null].filter(Boolean);
  return h("li", { class: `event event-triage${a.urgent ? " urgent" : ""}${a.source === "counsellor" ? " by-counsellor" : ""}`, "data-at": a.at },
    h("p", { class: "msg-meta", text: `${who} · ${formatTime(a.at)}` }),
    h("p", { class: "event-text", text: parts.join(" · ") }),
    reasons.length ? h("p", { class: "event-reasons", text: fmt(a.source === "counsellor" ? _("Reason: {text}") : _("Why: {text}"), { text: reasons.join(" · ") }) }) : null);
}

export function referralText(r) {
  return [r.service_name || r.service_id, r.slot ? formatSlot(r.slot) : null].filter(Boolean).join(" · ");
}

function buildReferral(r) {
  return h("li", { class: `event event-referral referral-${r.status}`, "data-referral": r.id },
    h("p", { class: "msg-meta", text: `${_("Referral")} · ${formatTime(r.created_at)}` }),
    h("p", { class: "event-text" },
      h("span", { text: referralText(r) }), " ",
      h("span", { class: `badge referral-status status-${r.status}`, text: label("referral", r.status) })));
}

function authorLabel(msg) {
  if (msg.author === "bot") return _("Bot");
  if (msg.author === "system") return _("System");
  if (msg.direction === "in") {
    const contact = state.current && state.current.contact;
    return msg.author_name || (contact && contact.name) || _("Contact");
  }
  return msg.author_name || _("Counsellor");
}

function messageClass(msg) {
  const system = msg.author === "system" || msg.author === "bot";
  if (msg.internal) return "internal";
  if (msg.direction === "in") return system ? `in author-${msg.author}` : "in";
  return `out author-${msg.author || "counsellor"}`;
}

function metaLine(msg, meta) {
  const head = h("p", { class: "msg-meta" });
  if (msg.internal) head.append(h("strong", { class: "note-label", text: _("Internal note") }), " · ");
  head.append(authorLabel(msg));
  if (msg.channel) head.append(` · ${label("channel", msg.channel)}`);
  if (meta.to) head.append(h("span", { class: "msg-to", text: ` → ${meta.to}` }));
  head.append(` · ${formatTime(msg.at)}`);
  if (meta.segments) head.append(h("span", { class: "segments", text: " · " + fmt(_("{n} SMS"), { n: meta.segments }) }));
  const delivery = msg.direction === "out" && !msg.internal ? label("delivery", msg.status) : "";
  if (delivery) head.append(h("span", { class: `delivery delivery-${msg.status}`, text: ` · ${delivery}` }));
  return head;
}

export function buildMessage(msg) {
  const meta = msg.meta || {};
  const li = h("li", { class: `msg ${messageClass(msg)} channel-${msg.channel}`, "data-id": msg.id });
  li.append(metaLine(msg, meta));
  if (msg.channel === "email" && meta.subject) li.append(h("p", { class: "msg-subject", text: fmt(_("Subject: {subject}"), { subject: meta.subject }) }));
  if (msg.channel === "voice" && meta.kind) li.append(callLine(meta));
  li.append(h("p", { class: "msg-text", text: String(msg.text ?? "") }));
  if (msg.status === "failed" && msg.direction === "out") li.append(failedLine(msg, meta));
  if (meta.full_text && meta.full_text.trim() !== String(msg.text ?? "").trim()) {
    li.append(h("details", { class: "quoted" },
      h("summary", { text: _("Show the full message with the quoted text") }),
      h("p", { class: "msg-text full-text", text: meta.full_text })));
  }
  if (meta.transcript && meta.kind !== "transcript") {
    li.append(h("div", { class: "transcript" }, h("p", { class: "transcript-label", text: _("Transcript") }), h("p", { class: "msg-text", text: meta.transcript })));
  }
  if (meta.recording) {
    li.append(h("p", { class: "recording" }, h("a", { href: meta.recording, target: "_blank", rel: "noopener noreferrer", text: _("Listen to the recording") })));
  }
  const attachments = msg.channel === "email" && Array.isArray(meta.attachments) ? meta.attachments : msg.attachments || [];
  if (attachments.length || meta.raw_url) li.append(attachmentList(attachments, meta.raw_url));
  return li;
}

function callLine(meta) {
  const kinds = {
    voicemail: _("Voicemail"), transcript: _("Transcript"), completed: _("Call ended"), outbound_completed: _("Call-back answered"),
    counsellor_completed: _("Call with a counsellor"), missed: _("Missed call"), outbound_missed: _("Call-back not answered"),
    callback: _("Call-back requested"), queued: _("Waiting in the phone queue"), urgent: _("Urgent call"),
  };
  const parts = [kinds[meta.kind] || _("Call")];
  if (meta.duration !== null && meta.duration !== undefined) parts.push(fmt(_("duration {time}"), { time: formatSeconds(meta.duration) }));
  return h("p", { class: "call-kind", text: parts.join(" · ") });
}

function failedLine(msg, meta) {
  const code = meta.error_code ? fmt(_("error code {code}"), { code: meta.error_code }) : null;
  return h("p", { class: "delivery-error", text: [code, msg.error ? String(msg.error) : null].filter(Boolean).join(" · ") || _("Not delivered") });
}

function attachmentList(attachments, rawUrl) {
  const items = attachments.map((a) => {
    const name = a.filename || a.name || _("attachment");
    const details = [a.content_type, a.size ? `${Math.ceil(a.size / 1024)} kB` : null, a.dropped ? _("too large, not kept") : null].filter(Boolean).join(" · ");
    const link = a.url && /^\/api\//.test(a.url) ? h("a", { href: a.url, download: name, text: name }) : h("span", { text: name });
    return h("li", {}, link, details ? h("span", { class: "hint", text: ` · ${details}` }) : null);
  });
  if (rawUrl) items.push(h("li", {}, h("a", { href: rawUrl, download: "", class: "raw-link", text: _("The original message (.eml)") })));
  return h("ul", { class: "attachments", "aria-label": _("Attachments") }, ...items);
}

/** A message arrived or changed (delivery status): add or replace it in place. */
export function upsertMessage(msg) {
  const conv = state.current;
  if (!conv) return;
  conv.messages = conv.messages || [];
  const index = conv.messages.findIndex((m) => String(m.id) === String(msg.id));
  if (index >= 0) {
    const known = conv.messages[index];
    if ((DELIVERY_RANK[known.status] || 0) > (DELIVERY_RANK[msg.status] || 0)) msg = { ...msg, status: known.status };
    conv.messages[index] = msg;
  } else conv.messages.push(msg);
  const list = $("timeline");
  const stick = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const el = buildMessage(msg);
  const existing = list.querySelector(`li[data-id="${CSS.escape(String(msg.id))}"]`);
  if (existing) existing.replaceWith(el);
  else list.append(el);
  if (stick || msg.direction === "out") list.scrollTop = list.scrollHeight;
}
