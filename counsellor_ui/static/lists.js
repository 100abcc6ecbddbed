/*
 * The sidebar: the queue and my conversations (with filters), the team's presence
 * and load, and the referral follow-up reminders.
 */
import { $, _, api, CHANNELS, fmt, formatSlot, formatTime, formatWaiting, h, label, localReasons, options, reasonsOf } from "./core.js";
import { state } from "./state.js";

const hooks = { open: () => {}, colleagues: () => {}, teamChanged: () => {} };

export function init(callbacks) {
  Object.assign(hooks, callbacks);
  for (const id of ["queue-list", "mine-list", "followup-list"]) $(id).addEventListener("click", onListClick);
  setupFilters();
}

export function decodeId(raw) {
  return /^\d+$/.test(String(raw)) ? Number(raw) : raw;
}

function onListClick(event) {
  const dismiss = event.target.closest("button[data-dismiss]");
  if (dismiss) {
    state.followUps.delete(Number(dismiss.dataset.dismiss));
    renderFollowUps();
    return;
  }
  const button = event.target.closest("button[data-id]");
  if (button) hooks.open(decodeId(button.dataset.id));
}

// ---------------------------------------------------------------- queue and mine

export async function loadQueue() {
  const data = await api("GET", "/api/queue");
  setQueue(Array.isArray(data.items) ? data.items : []);
}

export function setQueue(items) {
  state.queue = items;
  items.forEach(reasonsOf); // learns the Danish of every reason, for alerts (core.js)
  renderQueue();
}

export async function loadMine() {
  const data = await api("GET", "/api/conversations?status=active&mine=1");
  state.mine = Array.isArray(data.items) ? data.items : [];
  renderMine();
}

function passesFilters(item) {
  const f = state.filters;
  if (f.urgent && !item.urgent) return false;
  if (f.channel && item.channel !== f.channel) return false;
  if (f.language && (item.language || "") !== f.language) return false;
  return true;
}

export function renderLists() {
  renderQueue();
  renderMine();
}

export function renderQueue() {
  // Urgent first; otherwise the server's queue order (a stable sort).
  const items = [...state.queue].sort((a, b) => Number(Boolean(b.urgent)) - Number(Boolean(a.urgent)));
  const shown = items.filter(passesFilters);
  $("queue-section").hidden = state.filters.show === "mine";
  $("queue-list").replaceChildren(...shown.map((item) => buildListItem(item, true)));
  $("queue-empty").hidden = shown.length > 0;
  $("queue-count").textContent = items.length ? `(${items.length})` : "";
  const waiting = state.queue.length;
  document.title = `${state.alerts.size ? "⚠ " : ""}${waiting ? `(${waiting}) ` : ""}${_("eGuidance inbox")}`;
}

export function renderMine() {
  const shown = state.mine.filter(passesFilters);
  $("mine-section").hidden = state.filters.show === "unassigned";
  $("mine-list").replaceChildren(...shown.map((item) => buildListItem(item, false)));
  $("mine-empty").hidden = shown.length > 0;
  $("mine-count").textContent = state.mine.length ? `(${state.mine.length})` : "";
}

/** Level and the decision's reasons in one line: "Brief guidance — asks for a person · …". */
function triageLine(item) {
  const own = reasonsOf(item);
  const reasons = own.length ? own : localReasons(state.reasons.get(item.conversation_id));
  if (!item.level && !reasons.length) return null;
  const text = reasons.join(" · ");
  return h("span", { class: "triage-line", title: text || null },
    item.level ? h("span", { class: `level level-${item.level}`, text: label("level", item.level) }) : null,
    item.level && reasons.length ? " — " : null,
    reasons.length ? h("span", { class: "reasons", text }) : null);
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
  if (inQueue && item.position) top.append(h("span", { class: "pos", text: fmt(_("#{n}"), { n: item.position }) }));
  if (state.unread.has(id)) top.append(h("span", { class: "dot" }, h("span", { class: "sr-only", text: _("New messages") })));

  const name = h("span", { class: "conv-item-name", text: item.contact_name || _("Anonymous") });
  const waitingSince = inQueue || item.status === "waiting" ? item.waiting_since : null;
  const since = waitingSince ? h("span", { class: "waiting", "data-since": waitingSince, text: fmt(_("waiting {time}"), { time: formatWaiting(waitingSince) }) }) : null;
  const preview = h("span", { class: "preview", text: item.preview || "" });
  button.append(...[top, name, since, triageLine(item), preview].filter(Boolean));
  return h("li", {}, button);
}

export function tickWaitingTimes() {
  for (const el of document.querySelectorAll("[data-since]")) {
    el.textContent = fmt(_("waiting {time}"), { time: formatWaiting(el.dataset.since) });
  }
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

// ---------------------------------------------------------------- team (presence)

const team = { version: 0 };

export async function loadTeam() {
  const version = team.version;
  try {
    const data = await api("GET", "/api/counsellors/workload");
    // A `counsellors.updated` that came while this was under way is newer.
    if (version === team.version) setTeam(data.items || []);
  } catch (_err) { /* keep the old list */ }
}

/** The team changed (a `counsellors.updated` event or a reload): show who is there. */
export function setTeam(items) {
  team.version += 1;
  state.team = items.filter((c) => c.active !== false);
  $("team-list").replaceChildren(...state.team.map((c) => h("li", { class: `team-member presence-${c.presence}`, "data-id": c.id },
    h("span", { class: "presence-dot", "aria-hidden": "true" }),
    h("span", { class: "team-name", text: c.name }),
    h("span", { class: "team-presence", text: label("presence", c.presence) }),
    h("span", { class: "team-load", text: fmt(_("{n} of {max}"), { n: c.handling, max: c.capacity }) }))));
  const me = state.team.find((c) => state.me && c.id === state.me.id);
  if (me) $("presence").value = me.presence;
  hooks.colleagues(state.team.filter((c) => !state.me || c.id !== state.me.id));
}

// ---------------------------------------------------------------- referral follow-ups

/** A reminder from `referral.follow_up` or GET /api/referrals/follow-ups, in one shape. */
export function addFollowUp(p) {
  const id = Number(p.referral_id ?? p.id);
  if (!p || !id || !p.conversation_id) return;
  state.followUps.set(id, {
    id,
    conversation_id: p.conversation_id,
    service: p.service_name || (p.service && p.service.name) || p.service_id || "",
    slot: p.slot || null,
    due: p.due_at || p.follow_up_due || null,
  });
  renderFollowUps();
}

export async function loadFollowUps() {
  try {
    const data = await api("GET", "/api/referrals/follow-ups");
    for (const item of data.items || []) addFollowUp(item);
  } catch (_err) { /* no reminders */ }
}

function renderFollowUps() {
  const items = [...state.followUps.values()];
  $("followup-section").hidden = items.length === 0;
  $("followup-count").textContent = items.length ? `(${items.length})` : "";
  $("followup-list").replaceChildren(...items.map((f) => h("li", { class: "followup" },
    h("button", { type: "button", class: "link", "data-id": f.conversation_id },
      h("span", { class: "followup-service", text: f.service }),
      h("span", { class: "hint", text: [f.slot ? formatSlot(f.slot) : null, f.due ? fmt(_("follow up from {time}"), { time: formatTime(f.due) }) : null].filter(Boolean).join(" · ") })),
    h("button", { type: "button", class: "btn btn-small btn-quiet", "data-dismiss": f.id, "aria-label": fmt(_("Dismiss the reminder about {service}"), { service: f.service }), text: _("Done") }))));
}
