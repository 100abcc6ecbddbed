/*
 * eGuidance counsellor inbox: the entry module.
 * Queue and lists, the open conversation, the composer, the live socket, shortcuts.
 * The side panels (contact, transfer, triage, referral) live in panels.js and the
 * supervisors' dashboard in dashboard.js.
 */
import {
  $, _, api, CHANNELS, errorText, fmt, formatSeconds, formatSlot, formatTime, formatWaiting, h, label,
  onUnauthorized, options,
} from "./core.js";
import * as panels from "./panels.js";
import * as dashboard from "./dashboard.js";

const MAX_LEN = 4000;
const TYPING_IDLE_MS = 2500;
const REMOTE_TYPING_TTL_MS = 8000;

const state = {
  me: null,
  socket: null,
  everConnected: false,
  connection: "none",
  queue: [],
  mine: [],
  reasons: new Map(), // conversation id → triage reasons (for the queue's one line)
  current: null,
  messageMeta: {},
  openSeq: 0,
  alerts: new Set(),
  unread: new Set(),
  localTyping: false,
  typingTimer: null,
  remoteTypingTimer: null,
  mineRefreshTimer: null,
  segmentsTimer: null,
  audio: null,
  canned: [],
  filters: { show: "all", urgent: false, channel: "", language: "" },
};

// ---------------------------------------------------------------- views, login

function showView(name) {
  $("boot").hidden = true;
  $("login-view").hidden = name !== "login";
  $("inbox-view").hidden = name !== "inbox";
}

async function onLoginSubmit(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    await api("POST", "/api/auth/login", { email: $("login-email").value.trim(), password: $("login-password").value });
    location.reload(); // the server renders a CSRF token bound to the new session
  } catch (err) {
    $("login-error").textContent = err.status === 401 ? _("Wrong e-mail or password.") : errorText(err);
    $("login-password").select();
  }
}

async function onLogout() {
  try {
    await api("POST", "/api/auth/logout");
  } catch (_err) { /* we leave anyway */ }
  location.hash = "";
  location.reload();
}

function sessionExpired() {
  if (!state.me) return;
  state.me = null;
  if (state.socket) state.socket.disconnect();
  showView("login");
  $("login-error").textContent = _("Your session has expired. Please sign in again.");
  $("login-email").focus();
}

// ---------------------------------------------------------------- lists

async function loadQueue() {
  const data = await api("GET", "/api/queue");
  setQueue(Array.isArray(data.items) ? data.items : []);
}

function setQueue(items) {
  state.queue = items;
  renderQueue();
  loadMissingReasons();
}

async function loadMissingReasons(force = []) {
  const ids = state.queue.map((i) => i.conversation_id).filter((id) => !state.reasons.has(id) || force.includes(id));
  if (!ids.length) return;
  try {
    const data = await api("GET", `/api/queue/details?ids=${ids.join(",")}`);
    for (const [id, detail] of Object.entries(data.items || {})) state.reasons.set(Number(id), detail.reasons || []);
    renderQueue();
  } catch (_err) { /* the line stays without reasons */ }
}

async function loadMine() {
  const data = await api("GET", "/api/conversations?status=active&mine=1");
  state.mine = Array.isArray(data.items) ? data.items : [];
  renderMine();
}

function refreshMineSoon() {
  clearTimeout(state.mineRefreshTimer);
  state.mineRefreshTimer = setTimeout(() => {
    loadMine().catch(() => {});
    loadTeam();
  }, 300);
}

function passesFilters(item) {
  const f = state.filters;
  if (f.urgent && !item.urgent) return false;
  if (f.channel && item.channel !== f.channel) return false;
  if (f.language && (item.language || "") !== f.language) return false;
  return true;
}

function renderLists() {
  renderQueue();
  renderMine();
}

function renderQueue() {
  // Urgent first; otherwise the server's queue order (a stable sort).
  const items = [...state.queue].sort((a, b) => Number(Boolean(b.urgent)) - Number(Boolean(a.urgent)));
  const shown = items.filter(passesFilters);
  $("queue-section").hidden = state.filters.show === "mine";
  $("queue-list").replaceChildren(...shown.map((item) => buildListItem(item, true)));
  $("queue-empty").hidden = shown.length > 0;
  $("queue-count").textContent = items.length ? `(${items.length})` : "";
  updateDocumentTitle();
}

function renderMine() {
  const shown = state.mine.filter(passesFilters);
  $("mine-section").hidden = state.filters.show === "unassigned";
  $("mine-list").replaceChildren(...shown.map((item) => buildListItem(item, false)));
  $("mine-empty").hidden = shown.length > 0;
  $("mine-count").textContent = state.mine.length ? `(${state.mine.length})` : "";
}

function buildListItem(item, inQueue) {
  const id = item.conversation_id;
  const classes = ["conv-item"];
  if (item.urgent) classes.push("urgent");
  if (state.alerts.has(id)) classes.push("alert");
  const selected = state.current && state.current.id === id;
  if (selected) classes.push("selected");
  const button = h("button", { type: "button", class: classes.join(" "), "data-id": id, "aria-current": selected ? "true" : null });

  const top = h("span", { class: "conv-item-top" });
  if (item.urgent) top.append(h("span", { class: "badge badge-urgent", text: _("URGENT") }));
  top.append(h("span", { class: "badge", text: label("channel", item.channel) }));
  if (item.language) top.append(h("span", { class: "badge badge-lang", lang: item.language, text: item.language.toUpperCase() }));
  if (item.level) top.append(h("span", { class: `badge level-${item.level}`, text: label("level", item.level) }));
  if (inQueue && item.position) top.append(h("span", { class: "pos", text: fmt(_("#{n}"), { n: item.position }) }));
  if (state.unread.has(id)) top.append(h("span", { class: "dot" }, h("span", { class: "sr-only", text: _("New messages") })));

  const name = h("span", { class: "conv-item-name", text: item.contact_name || _("Anonymous") });
  const waitingSince = inQueue || item.status === "waiting" ? item.waiting_since : null;
  const since = waitingSince ? h("span", { class: "waiting", "data-since": waitingSince, text: fmt(_("waiting {time}"), { time: formatWaiting(waitingSince) }) }) : null;
  const reasons = state.reasons.get(id) || [];
  const why = inQueue && reasons.length ? h("span", { class: "reasons", title: reasons.join(" · "), text: reasons.join(" · ") }) : null;
  const preview = h("span", { class: "preview", text: item.preview || "" });
  button.append(...[top, name, since, why, preview].filter(Boolean));
  return h("li", {}, button);
}

function tickWaitingTimes() {
  for (const el of document.querySelectorAll("[data-since]")) {
    el.textContent = fmt(_("waiting {time}"), { time: formatWaiting(el.dataset.since) });
  }
}

function updateDocumentTitle() {
  const waiting = state.queue.length;
  document.title = `${state.alerts.size ? "⚠ " : ""}${waiting ? `(${waiting}) ` : ""}${_("eGuidance inbox")}`;
}

function onListClick(event) {
  const button = event.target.closest("button[data-id]");
  if (button) openConversation(decodeId(button.dataset.id));
}

function decodeId(raw) {
  return /^\d+$/.test(String(raw)) ? Number(raw) : raw;
}

function setupFilters() {
  options($("filter-channel"), [["", _("All")], ...CHANNELS.map((c) => [c, label("channel", c)])], "");
  options($("filter-language"), [["", _("All")], ["da", label("language", "da")], ["en", label("language", "en")]], "");
  const update = () => {
    state.filters = {
      show: $("filter-show").value,
      urgent: $("filter-urgent").checked,
      channel: $("filter-channel").value,
      language: $("filter-language").value,
    };
    renderLists();
  };
  for (const id of ["filter-show", "filter-urgent", "filter-channel", "filter-language"]) $(id).addEventListener("change", update);
}

// ---------------------------------------------------------------- take next, presence, team

async function takeNext() {
  const msg = $("take-next-msg");
  msg.textContent = "";
  try {
    const data = await api("POST", "/api/queue/take-next");
    await Promise.all([loadQueue(), loadMine()]).catch(() => {});
    loadTeam();
    await openConversation(data.conversation.conversation_id);
  } catch (err) {
    msg.textContent = errorText(err);
  }
}

async function setPresence(value) {
  try {
    await api("PUT", "/api/me/presence", { presence: value });
    loadTeam();
  } catch (err) {
    $("take-next-msg").textContent = errorText(err);
  }
}

async function loadTeam() {
  try {
    const data = await api("GET", "/api/counsellors/workload");
    state.team = data.items || [];
    const list = $("team-list");
    list.replaceChildren(...state.team.map((c) => h("li", { class: `team-member presence-${c.presence}` },
      h("span", { class: "presence-dot", "aria-hidden": "true" }),
      h("span", { class: "team-name", text: c.name }),
      h("span", { class: "team-presence", text: label("presence", c.presence) }),
      h("span", { class: "team-load", text: fmt(_("{n} of {max}"), { n: c.handling, max: c.capacity }) }))));
    const me = state.team.find((c) => state.me && c.id === state.me.id);
    if (me) $("presence").value = me.presence;
    panels.setColleagues(state.team.filter((c) => !state.me || c.id !== state.me.id));
  } catch (_err) { /* keep the old list */ }
}

// ---------------------------------------------------------------- conversation

async function openConversation(id) {
  const seq = ++state.openSeq;
  setLocalTyping(false);
  $("conv-error").textContent = "";
  try {
    const [data, meta] = await Promise.all([
      api("GET", `/api/conversations/${encodeURIComponent(id)}`),
      api("GET", `/api/conversations/${encodeURIComponent(id)}/message-meta`).catch(() => ({ items: {} })),
    ]);
    if (seq !== state.openSeq) return;
    state.current = data;
    state.messageMeta = meta.items || {};
    state.alerts.delete(data.id);
    state.unread.delete(data.id);
    const banner = $("alert-banner").querySelector("button[data-id]");
    if (banner && decodeId(banner.dataset.id) === data.id) $("alert-banner").hidden = true;
    history.replaceState(null, "", `#conversation-${data.id}`);
    showTyping(false);
    renderConversation();
    renderLists();
    panels.open(data);
    $("composer-text").focus();
  } catch (err) {
    if (seq === state.openSeq) $("conv-error").textContent = errorText(err);
  }
}

async function reloadCurrent() {
  if (!state.current) return;
  const id = state.current.id;
  try {
    const [data, meta] = await Promise.all([
      api("GET", `/api/conversations/${encodeURIComponent(id)}`),
      api("GET", `/api/conversations/${encodeURIComponent(id)}/message-meta`).catch(() => ({ items: {} })),
    ]);
    if (state.current && state.current.id === id) {
      state.current = data;
      state.messageMeta = meta.items || {};
      renderConversation();
      panels.refresh(data);
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
  renderComposerMode();
}

function assigneeText(assigneeId) {
  if (assigneeId === null || assigneeId === undefined) return "";
  if (state.me && assigneeId === state.me.id) return _("Yours");
  const colleague = (state.team || []).find((c) => c.id === assigneeId);
  return colleague ? fmt(_("With {name}"), { name: colleague.name }) : _("Claimed by a colleague");
}

function renderConvHeader(conv) {
  const contact = conv.contact || {};
  $("conv-title").textContent = contact.name || _("Anonymous");
  const addresses = (contact.addresses || []).map((a) => `${label("channel", a.channel)}: ${a.address}`);
  $("conv-sub").textContent = [label("channel", conv.channel), conv.language ? label("language", conv.language) : null, ...addresses].filter(Boolean).join(" · ");
  const badges = $("conv-badges");
  badges.replaceChildren();
  if (conv.urgent) badges.append(h("span", { class: "badge badge-urgent", text: _("URGENT") }));
  badges.append(h("span", { class: `badge status-${conv.status}`, text: label("status", conv.status) }));
  if (conv.level) badges.append(h("span", { class: `badge level-${conv.level}`, text: label("level", conv.level) }));
  if (conv.assignee_id !== null && conv.assignee_id !== undefined) badges.append(h("span", { class: "badge", text: assigneeText(conv.assignee_id) }));
  if (conv.waiting_since && conv.status === "waiting") {
    badges.append(h("span", { class: "waiting", "data-since": conv.waiting_since, text: fmt(_("waiting {time}"), { time: formatWaiting(conv.waiting_since) }) }));
  }
  const mine = isMine(conv);
  const closed = conv.status === "closed";
  $("btn-claim").hidden = mine || closed;
  $("btn-release").hidden = !mine || closed;
  $("btn-close").hidden = closed;
}

function isMine(conv) {
  return Boolean(state.me && conv && conv.assignee_id !== null && conv.assignee_id === state.me.id);
}

function renderTriage(conv) {
  const triage = conv.triage || {};
  const parts = [];
  if (triage.urgent) parts.push(_("URGENT"));
  if (triage.level) parts.push(label("level", triage.level));
  if (triage.refer_to) parts.push(`${_("Refer to")}: ${label("refer", triage.refer_to)}`);
  $("triage-summary").textContent = parts.join(" · ");
  const reasons = Array.isArray(triage.reasons) ? triage.reasons : [];
  $("triage-reasons").replaceChildren(...reasons.map((r) => h("li", { text: String(r) })));
  if (!reasons.length) $("triage-reasons").append(h("li", { class: "muted", text: _("No reasons recorded.") }));
  $("triage").classList.toggle("urgent", Boolean(triage.urgent || conv.urgent));
}

// ---------------------------------------------------------------- timeline

/** Messages, triage decisions and referrals in one column, in time order. */
function timelineEntries(conv) {
  const entries = (conv.messages || []).map((m) => ({ kind: "message", at: m.at, id: Number(m.id), item: m }));
  for (const a of conv.assessments || []) entries.push({ kind: "assessment", at: a.at, id: Number(a.message_id || 0) + 0.5, item: a });
  for (const r of panels.referralsOf(conv.id)) entries.push({ kind: "referral", at: r.at, id: Infinity, item: r });
  return entries.sort((a, b) => {
    if (a.kind === "message" && b.kind === "message") return a.id - b.id;
    return String(a.at || "").localeCompare(String(b.at || "")) || a.id - b.id;
  });
}

function renderTimeline(conv) {
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
  const parts = [a.urgent ? _("URGENT") : null, label("level", a.level), a.refer_to ? `${_("Refer to")}: ${label("refer", a.refer_to)}` : null].filter(Boolean);
  return h("li", { class: `event event-triage${a.urgent ? " urgent" : ""}`, "data-at": a.at },
    h("p", { class: "msg-meta", text: `${who} · ${formatTime(a.at)}` }),
    h("p", { class: "event-text", text: parts.join(" · ") }),
    (a.reasons || []).length ? h("p", { class: "event-reasons", text: a.reasons.join(" · ") }) : null);
}

function buildReferral(r) {
  return h("li", { class: "event event-referral" },
    h("p", { class: "msg-meta", text: `${_("Referral")} · ${formatTime(r.at)}` }),
    h("p", { class: "event-text", text: [r.service, formatSlot(r.slot), label("referral", r.status)].filter(Boolean).join(" · ") }));
}

function buildMessage(msg) {
  const meta = state.messageMeta[String(msg.id)] || {};
  const system = msg.author === "system" || msg.author === "bot";
  const kind = msg.internal ? "internal" : msg.direction === "in" && !system ? "in" : msg.direction === "in" ? `in author-${msg.author}` : `out author-${msg.author || "counsellor"}`;
  const li = h("li", { class: `msg ${kind} channel-${msg.channel}`, "data-id": msg.id });
  const head = h("p", { class: "msg-meta" });
  if (msg.internal) head.append(h("strong", { class: "note-label", text: _("Internal note") }), " · ");
  head.append(authorLabel(msg));
  if (msg.channel) head.append(` · ${label("channel", msg.channel)}`);
  head.append(` · ${formatTime(msg.at)}`);
  const delivery = msg.direction === "out" && !msg.internal ? label("delivery", msg.status) : "";
  if (delivery) head.append(h("span", { class: `delivery delivery-${msg.status}`, text: ` · ${delivery}` }));
  li.append(head);
  if (meta.kind && msg.channel === "voice") {
    const duration = Number(meta.duration);
    li.append(h("p", { class: "call-kind", text: duration ? `${_("Call")} · ${formatSeconds(duration)}` : _("Call") }));
  }
  li.append(h("p", { class: "msg-text", text: String(msg.text ?? "") }));
  if (msg.status === "failed" && msg.error) li.append(h("p", { class: "delivery-failed", text: String(msg.error) }));
  if (meta.full_text && meta.full_text.trim() !== String(msg.text ?? "").trim()) {
    li.append(h("details", { class: "quoted" }, h("summary", { text: _("Show the quoted text") }), h("p", { class: "msg-text", text: meta.full_text })));
  }
  const attachments = msg.attachments || [];
  if (attachments.length) {
    li.append(h("ul", { class: "attachments", "aria-label": _("Attachments") },
      ...attachments.map((a) => h("li", { text: [a.filename || a.name || _("attachment"), a.content_type, a.size ? `${Math.ceil(a.size / 1024)} kB` : null].filter(Boolean).join(" · ") }))));
  }
  return li;
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

function upsertMessage(msg) {
  const conv = state.current;
  if (!conv) return;
  conv.messages = conv.messages || [];
  const index = conv.messages.findIndex((m) => String(m.id) === String(msg.id));
  if (index >= 0) {
    const known = conv.messages[index];
    if (deliveryRank(known.status) > deliveryRank(msg.status)) msg = { ...msg, status: known.status };
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

function deliveryRank(status) {
  return { queued: 1, sent: 2, delivered: 3, failed: 3 }[status] || 0;
}

// ---------------------------------------------------------------- actions

async function runAction(action) {
  const conv = state.current;
  if (!conv) return;
  if (action === "close" && !window.confirm(_("Close this conversation?"))) return;
  $("conv-error").textContent = "";
  try {
    await api("POST", `/api/conversations/${encodeURIComponent(conv.id)}/${action}`);
    await reloadCurrent();
    await Promise.all([loadQueue(), loadMine()]);
  } catch (err) {
    $("conv-error").textContent = errorText(err);
    if (err.status === 409) reloadCurrent();
  }
}

async function sendComposer() {
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

function renderComposerMode() {
  const internal = $("composer-internal").checked;
  $("composer").classList.toggle("is-internal", internal);
  $("composer-send").textContent = internal ? _("Save note") : _("Send");
  $("composer-hint").textContent = internal ? _("Internal note – only counsellors see it. Ctrl+Enter saves.") : _("Ctrl+Enter sends");
  updateSegments();
}

function onComposerKeydown(event) {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    sendComposer();
  }
}

/** The SMS segment counter, for replies on SMS. */
function updateSegments() {
  const out = $("sms-segments");
  const conv = state.current;
  clearTimeout(state.segmentsTimer);
  if (!conv || conv.channel !== "sms" || $("composer-internal").checked) {
    out.textContent = "";
    return;
  }
  const text = $("composer-text").value;
  state.segmentsTimer = setTimeout(async () => {
    try {
      const data = await api("GET", `/api/sms/segments?text=${encodeURIComponent(text)}`);
      out.textContent = fmt(_("{chars} characters · {segments} SMS ({encoding})"), { chars: data.chars ?? text.length, segments: data.segments ?? "?", encoding: data.encoding || "" });
    } catch (_err) {
      out.textContent = "";
    }
  }, 200);
}

// ---------------------------------------------------------------- canned replies

async function loadCanned() {
  try {
    const data = await api("GET", `/api/canned-replies?language=${encodeURIComponent(document.documentElement.lang)}`);
    state.canned = data.items || [];
    options($("canned-select"), [["", _("Choose…")], ...state.canned.map((r) => [r.id, r.title])], "");
  } catch (_err) { /* no canned replies */ }
}

function insertCanned() {
  const reply = state.canned.find((r) => r.id === $("canned-select").value);
  if (!reply || !state.current) return;
  const contact = state.current.contact || {};
  const text = fmt(reply.text, {
    name: contact.name || _("you"),
    counsellor: (state.me && state.me.name) || "",
    service: panels.serviceName() || _("the guidance service"),
  });
  const input = $("composer-text");
  const start = input.selectionStart ?? input.value.length;
  input.setRangeText(text, start, input.selectionEnd ?? start, "end");
  input.focus();
  onComposerInput();
}

// ---------------------------------------------------------------- typing

function onComposerInput() {
  updateSegments();
  if ($("composer-internal").checked || !$("composer-text").value) {
    setLocalTyping(false);
    return;
  }
  setLocalTyping(true);
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(() => setLocalTyping(false), TYPING_IDLE_MS);
}

function setLocalTyping(on) {
  if (!on) clearTimeout(state.typingTimer);
  if (state.localTyping === on) return;
  state.localTyping = on;
  if (state.socket && state.socket.connected && state.current) {
    state.socket.emit("typing", { conversation_id: state.current.id, typing: on });
  }
}

function showTyping(on) {
  clearTimeout(state.remoteTypingTimer);
  $("conv-typing").textContent = on ? _("The contact is writing…") : "";
  if (on) state.remoteTypingTimer = setTimeout(() => showTyping(false), REMOTE_TYPING_TTL_MS);
}

// ---------------------------------------------------------------- urgent alert: sound, notification

function unlockAudio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (state.audio || !Ctx) return;
  state.audio = new Ctx();
}

function beep() {
  const ctx = state.audio;
  if (!ctx) return;
  if (ctx.state === "suspended") ctx.resume();
  [0, 0.25].forEach((offset) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    const start = ctx.currentTime + offset;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + 0.2);
  });
}

function setupNotifications() {
  const button = $("btn-notify");
  if (!("Notification" in window) || Notification.permission !== "default") return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    unlockAudio();
    await Notification.requestPermission();
    button.hidden = true;
  });
}

function notify(p) {
  const reasons = (p.reasons || []).join(" · ");
  const banner = $("alert-banner");
  banner.replaceChildren(
    h("span", { text: `${_("URGENT")}: ${reasons || _("A conversation needs help now.")}` }), " ",
    h("button", { type: "button", class: "btn btn-small", "data-id": p.conversation_id, text: _("Open") }),
  );
  banner.hidden = false;
  if ("Notification" in window && Notification.permission === "granted") {
    try {
      const n = new Notification(_("Urgent conversation"), { body: reasons, tag: `urgent-${p.conversation_id}` });
      n.onclick = () => {
        window.focus();
        openConversation(p.conversation_id);
      };
    } catch (_err) { /* notifications unavailable */ }
  }
}

// ---------------------------------------------------------------- socket.io

function connectSocket() {
  if (typeof window.io !== "function") {
    setConnection("offline");
    return;
  }
  const socket = window.io("/inbox", { withCredentials: true, transports: ["websocket", "polling"] });
  state.socket = socket;
  socket.on("connect", onSocketConnect);
  socket.on("disconnect", () => setConnection("reconnecting"));
  socket.on("connect_error", onSocketError);
  socket.on("queue.updated", (p) => {
    setQueue(p && Array.isArray(p.items) ? p.items : []);
    dashboard.changed();
  });
  socket.on("conversation.updated", onConversationUpdated);
  socket.on("message.created", onMessageCreated);
  socket.on("message.updated", (p) => {
    if (p && p.message && state.current && state.current.id === p.conversation_id) upsertMessage(p.message);
  });
  socket.on("triage.alert", onTriageAlert);
  socket.on("typing", (p) => {
    if (!p || !state.current || p.conversation_id !== state.current.id || p.author === "counsellor") return;
    showTyping(Boolean(p.typing));
  });
}

function onSocketConnect() {
  setConnection("live");
  if (state.everConnected) {
    loadQueue().catch(() => {});
    loadMine().catch(() => {});
    reloadCurrent();
  }
  state.everConnected = true;
}

async function onSocketError() {
  setConnection("offline");
  const socket = state.socket;
  if (!socket || socket.active) return;
  try {
    await api("GET", "/api/me");
    setTimeout(() => socket.connect(), 5000);
  } catch (_err) { /* the login form is showing */ }
}

function setConnection(value) {
  state.connection = value;
  const el = $("conn-state");
  el.textContent = { live: _("Live"), reconnecting: _("Reconnecting…"), offline: _("Offline – trying again") }[value] || "";
  el.className = `conn conn-${value || "none"}`;
}

function onConversationUpdated(p) {
  if (!p) return;
  const conv = state.current;
  if (conv && conv.id === p.conversation_id) {
    for (const key of ["status", "assignee_id", "urgent", "level"]) if (key in p) conv[key] = p[key];
    renderConvHeader(conv);
  }
  const wasMine = state.mine.some((c) => c.conversation_id === p.conversation_id);
  const isMineNow = state.me && p.assignee_id === state.me.id;
  if (wasMine || isMineNow) refreshMineSoon();
  else loadTeam();
  dashboard.changed();
}

function onMessageCreated(p) {
  if (!p || !p.message) return;
  if (state.current && state.current.id === p.conversation_id) {
    upsertMessage(p.message);
    if (p.message.direction === "in") showTyping(false);
    return;
  }
  if (p.message.direction === "in" && state.mine.some((c) => c.conversation_id === p.conversation_id)) {
    state.unread.add(p.conversation_id);
    renderMine();
  }
}

function onTriageAlert(p) {
  if (!p) return;
  state.alerts.add(p.conversation_id);
  state.reasons.set(p.conversation_id, p.reasons || []);
  beep();
  notify(p);
  renderLists();
  if (state.current && state.current.id === p.conversation_id) reloadCurrent();
}

// ---------------------------------------------------------------- keyboard

function focusComposer(internal) {
  if (!state.current) return;
  $("composer-internal").checked = internal;
  renderComposerMode();
  $("composer-text").focus();
}

function onShortcut(event) {
  if (!event.altKey || event.ctrlKey || event.metaKey || !state.me) return;
  const key = event.key.toLowerCase();
  const code = event.code;
  const is = (letter) => key === letter || code === `Key${letter.toUpperCase()}`;
  if (is("n")) takeNext();
  else if (is("r")) focusComposer(false);
  else if (is("i")) focusComposer(true);
  else if (is("c")) { if (state.current && !$("btn-close").hidden) runAction("close"); }
  else if (is("q")) { const first = document.querySelector("#queue-list button, #mine-list button"); (first || $("btn-take-next")).focus(); }
  else return;
  event.preventDefault();
}

function toggleShortcuts() {
  const open = $("shortcuts").hidden;
  $("shortcuts").hidden = !open;
  $("btn-shortcuts").setAttribute("aria-expanded", String(open));
}

// ---------------------------------------------------------------- start

function wireEvents() {
  $("login-form").addEventListener("submit", onLoginSubmit);
  $("logout").addEventListener("click", onLogout);
  $("queue-list").addEventListener("click", onListClick);
  $("mine-list").addEventListener("click", onListClick);
  $("alert-banner").addEventListener("click", (e) => {
    onListClick(e);
    if (e.target.closest("button")) $("alert-banner").hidden = true;
  });
  $("btn-take-next").addEventListener("click", takeNext);
  $("btn-claim").addEventListener("click", () => runAction("claim"));
  $("btn-release").addEventListener("click", () => runAction("release"));
  $("btn-close").addEventListener("click", () => runAction("close"));
  $("btn-shortcuts").addEventListener("click", toggleShortcuts);
  $("presence").addEventListener("change", (e) => setPresence(e.target.value));
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    sendComposer();
  });
  $("composer-text").addEventListener("keydown", onComposerKeydown);
  $("composer-text").addEventListener("input", onComposerInput);
  $("composer-text").addEventListener("blur", () => setLocalTyping(false));
  $("composer-internal").addEventListener("change", () => {
    renderComposerMode();
    onComposerInput();
  });
  $("canned-insert").addEventListener("click", insertCanned);
  document.addEventListener("keydown", onShortcut);
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  setupFilters();
}

async function startInbox(me) {
  state.me = me;
  $("me-name").textContent = me.name || me.email || "";
  showView("inbox");
  panels.init({ me, reload: reloadCurrent, open: openConversation, rerender: () => state.current && renderTimeline(state.current), lists: () => Promise.all([loadQueue(), loadMine()]) });
  dashboard.init(me);
  setupNotifications();
  connectSocket();
  setInterval(tickWaitingTimes, 1000);
  await Promise.all([loadQueue(), loadMine(), loadTeam(), loadCanned()]).catch(() => {});
  const match = /^#conversation-(.+)$/.exec(location.hash);
  if (match) openConversation(decodeId(decodeURIComponent(match[1])));
}

async function boot() {
  onUnauthorized(sessionExpired);
  renderComposerMode();
  wireEvents();
  $("composer-text").setAttribute("maxlength", String(MAX_LEN));
  try {
    const me = await api("GET", "/api/me");
    await startInbox(me.counsellor || me);
  } catch (err) {
    showView("login");
    if (err.status !== 401) $("login-error").textContent = errorText(err);
    $("login-email").focus();
  }
}

boot();
