/*
 * Shared helpers of the inbox modules: texts, DOM building, the REST client, formats.
 * A CSP without 'unsafe-inline' applies: no inline handlers, no eval, and every
 * piece of data is rendered with textContent.
 */

const TEXTS = (window.EG_TEXTS && window.EG_TEXTS.messages) || {};
export const LANGUAGE = (window.EG_TEXTS && window.EG_TEXTS.language) || document.documentElement.lang || "da";

/** The translated text (gettext catalogue from counsellor_ui/locale). */
export function _(text) {
  return TEXTS[text] || text;
}

/** Fills {name} placeholders after translation: fmt(_("waiting {time}"), {time}). */
export function fmt(text, values) {
  return text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? String(values[key]) : all));
}

export const $ = (id) => document.getElementById(id);

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

// ---------------------------------------------------------------- labels

const LABELS = {
  status: () => ({ bot: _("Bot"), waiting: _("Waiting"), active: _("Active"), pending: _("Pending"), closed: _("Closed") }),
  level: () => ({ self_help: _("Self-help"), brief: _("Brief guidance"), face_to_face: _("Face-to-face") }),
  channel: () => ({ webchat: _("Chat"), chat: _("Chat"), sms: _("SMS"), email: _("E-mail"), voice: _("Phone"), phone: _("Phone") }),
  delivery: () => ({ queued: _("queued"), sent: _("sent"), delivered: _("delivered"), failed: _("NOT DELIVERED"), received: "" }),
  refer: () => ({
    youth_guidance: _("Youth guidance"),
    study_guidance: _("Study guidance"),
    jobcentre: _("Jobcentre"),
    health_social: _("Health / social services"),
  }),
  presence: () => ({ available: _("Available"), away: _("Away"), offline: _("Offline") }),
  role: () => ({ counsellor: _("Counsellor"), supervisor: _("Supervisor"), admin: _("Admin") }),
  language: () => ({ da: _("Danish"), en: _("English") }),
  referral: () => ({ proposed: _("proposed"), booked: _("booked"), attended: _("attended"), no_show: _("did not come"), cancelled: _("cancelled") }),
};

// ---------------------------------------------------------------- triage reasons

// English reason → Danish, learnt from every payload that carries both, so that a
// payload with the English only (a triage alert) can still be shown in Danish.
const danishReasons = new Map();

/**
 * The triage reasons of a payload in the interface's language. The server sends
 * `reasons` (English, as stored) and `reasons_da` (the same, rendered in Danish).
 */
export function reasonsOf(item) {
  if (!item) return [];
  const english = Array.isArray(item.reasons) ? item.reasons.map(String) : [];
  const danish = Array.isArray(item.reasons_da) ? item.reasons_da.map(String) : null;
  if (danish && danish.length === english.length) english.forEach((text, i) => danishReasons.set(text, danish[i]));
  if (LANGUAGE !== "da") return english;
  return danish && danish.length === english.length ? danish : localReasons(english);
}

/** English reasons in the interface's language, as far as they have been seen in Danish. */
export function localReasons(reasons) {
  const english = Array.isArray(reasons) ? reasons.map(String) : [];
  return LANGUAGE === "da" ? english.map((text) => danishReasons.get(text) || text) : english;
}

export function label(table, key) {
  if (key === null || key === undefined) return "";
  const values = LABELS[table] ? LABELS[table]() : {};
  return values[key] || String(key);
}

export const CHANNELS = ["chat", "sms", "email", "voice"]; // as the server stores them (channels/*/CHANNEL)
export const LEVELS = ["self_help", "brief", "face_to_face"];
export const DESTINATIONS = ["youth_guidance", "study_guidance", "jobcentre", "health_social"];

// ---------------------------------------------------------------- time

export function toDate(at) {
  if (typeof at === "number") return new Date(at < 1e12 ? at * 1000 : at);
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatTime(at) {
  const d = toDate(at);
  if (!d) return "";
  const pad = (n) => String(n).padStart(2, "0");
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? time : `${pad(d.getDate())}.${pad(d.getMonth() + 1)}. ${time}`;
}

/** A referral slot ("2026-11-30T14:00:00+01:00") at the wall time written in it: the
 * service's own time, whatever the browser's time zone. */
export function formatSlot(slot) {
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(String(slot || ""));
  if (!parts) return slot || "";
  const [year, month, day, hour, minute] = parts.slice(1).map(Number);
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute));
  return wall.toLocaleString(document.documentElement.lang, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
}

export function formatSeconds(total) {
  if (total === null || total === undefined) return "–";
  total = Math.max(0, Math.round(total));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours
    ? fmt(_("{h} h {m} min"), { h: hours, m: minutes })
    : fmt(_("{m} min {s} s"), { m: minutes, s: seconds });
}

export function formatWaiting(since) {
  const d = toDate(since);
  if (!d) return "";
  return formatSeconds((Date.now() - d.getTime()) / 1000);
}

// ---------------------------------------------------------------- REST

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || null;
  }
}

const hooks = { unauthorized: () => {} };

export function onUnauthorized(fn) {
  hooks.unauthorized = fn;
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") || "" : "";
}

export function setCsrfToken(token) {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && token) meta.setAttribute("content", token);
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (_err) {
    throw new ApiError(0, "network", _("Something went wrong. Please try again."));
  }
  let data = null;
  try {
    data = await res.json();
  } catch (_err) { /* empty or not JSON */ }
  if (!res.ok) {
    const error = (data && data.error) || {};
    if (res.status === 401 && path !== "/api/auth/login") hooks.unauthorized();
    throw new ApiError(res.status, error.code, error.message);
  }
  return data;
}

export function errorText(err) {
  if (err && err.code === "already_claimed") return _("A colleague has already claimed this conversation.");
  if (err && err.code === "queue_empty") return _("No one is waiting whom you can serve.");
  if (err && err.code === "at_capacity") return _("You are at your capacity: close or transfer a conversation before taking the next.");
  return (err && err.message) || _("Something went wrong. Please try again.");
}

/** An option list for a <select>: [[value, text], ...]. */
export function options(select, pairs, selected) {
  select.replaceChildren(...pairs.map(([value, text]) => h("option", { value, text, selected: String(value) === String(selected) })));
}
