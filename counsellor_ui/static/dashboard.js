/*
 * The supervisors' dashboard: live queue, today's volumes, first-response times,
 * triage outcomes, contacts per hour (an SVG bar chart); user administration is in
 * users.js.
 * The server enforces the roles; this only hides what the role cannot use.
 */
import { $, _, api, errorText, fmt, formatSeconds, h, label, LANGUAGE } from "./core.js";
import * as users from "./users.js";

const SVG = "http://www.w3.org/2000/svg";
const state = { me: null, open: false, timer: null, refreshTimer: null };

export function init(me) {
  state.me = me;
  if (!["supervisor", "admin"].includes(me.role)) return;
  $("btn-dashboard").hidden = false;
  $("btn-dashboard").addEventListener("click", () => toggle());
  users.init(me, refresh);
  document.addEventListener("keydown", (e) => {
    if (e.altKey && !e.ctrlKey && (e.key.toLowerCase() === "d" || e.code === "KeyD")) {
      e.preventDefault();
      toggle();
    }
  });
}

export function toggle(open = !state.open) {
  state.open = open;
  $("btn-dashboard").setAttribute("aria-pressed", String(open));
  $("dashboard-view").hidden = !open;
  $("work-view").hidden = open;
  clearInterval(state.timer);
  if (open) {
    refresh();
    state.timer = setInterval(refresh, 30000);
    $("dashboard-view").focus();
  }
}

/** Something changed in the queue or a conversation: refresh soon, once. */
export function changed() {
  if (!state.open) return;
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refresh, 500);
}

async function refresh() {
  try {
    const [data, accounts] = await Promise.all([api("GET", "/api/dashboard"), api("GET", "/api/users")]);
    render(data);
    users.renderUsers(accounts.items || []);
    $("dash-updated").textContent = fmt(_("updated {time}"), { time: new Date().toLocaleTimeString(document.documentElement.lang) });
  } catch (err) {
    $("dash-updated").textContent = errorText(err);
  }
}

function table(caption, headers, rows) {
  return h("table", { class: "figures" },
    h("caption", { class: "sr-only", text: caption }),
    h("thead", {}, h("tr", {}, ...headers.map((x) => h("th", { scope: "col", text: x })))),
    h("tbody", {}, ...rows.map((row) => h("tr", {}, ...row.map((cell, i) => (i === 0 ? h("th", { scope: "row", text: String(cell) }) : h("td", { text: String(cell) })))))));
}

function figure(value, text, cls = "") {
  return h("p", { class: `figure ${cls}` }, h("span", { class: "figure-value", text: String(value) }), h("span", { class: "figure-label", text }));
}

function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${Math.round(rate * 100)} %`;
}

function render(data) {
  const q = data.queue;
  $("dash-queue").replaceChildren(
    h("div", { class: "figures-row" },
      figure(q.waiting, _("waiting"), "dash-waiting"),
      figure(q.urgent, _("urgent"), q.urgent ? "figure-urgent" : ""),
      figure(formatSeconds(q.longest_wait_s), _("longest wait"))),
    table(_("Waiting by channel"), [_("Channel"), _("Waiting")], Object.entries(q.by_channel).map(([c, n]) => [label("channel", c), n])));

  const today = data.today.conversations;
  $("dash-volume").replaceChildren(
    h("div", { class: "figures-row" }, figure(today.total, _("contacts today"), "dash-total"), figure(today.urgent, _("urgent"))),
    table(_("Contacts by channel"), [_("Channel"), _("Contacts")], Object.entries(today.by_channel).map(([c, n]) => [label("channel", c), n])));

  const response = data.today.first_response_s;
  $("dash-response").replaceChildren(Object.keys(response).length
    ? table(_("First response by channel"), [_("Channel"), _("Median"), _("90th percentile"), _("Answered")],
      Object.entries(response).map(([c, r]) => [label("channel", c), formatSeconds(r.median), formatSeconds(r.p90), r.count]))
    : h("p", { class: "hint", text: _("No answers yet today.") }));

  const triage = data.today.triage;
  $("dash-triage").replaceChildren(
    h("div", { class: "figures-row" },
      figure(percent(triage.override_rate), _("overridden")),
      figure(percent(data.referrals.rate), _("referred"))),
    table(_("Triage outcomes"), [_("Level"), _("Contacts")], Object.entries(today.by_level).map(([l, n]) => [l === "unassessed" ? _("Not assessed") : label("level", l), n])),
    (triage.by_rule || []).length
      ? table(_("Override rate by rule"), [_("Rule"), _("Fired"), _("Overridden")], triage.by_rule.slice(0, 6).map((r) => [(LANGUAGE === "da" && r.rule_da) || r.rule, r.conversations, percent(r.override_rate)]))
      : null);

  $("dash-hours").replaceChildren(hourChart(data.per_hour || []));
}

/** A bar chart of contacts per hour, drawn as SVG (the numbers are also in a table). */
function hourChart(hours) {
  const width = 720;
  const height = 160;
  const pad = { left: 28, bottom: 22, top: 10 };
  const max = Math.max(1, ...hours);
  const barWidth = (width - pad.left) / 24;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", fmt(_("Contacts per hour today; most in one hour: {max}"), { max: Math.max(0, ...hours) }));
  const el = (name, attrs, text) => {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const plot = height - pad.bottom - pad.top;
  el("line", { x1: pad.left, x2: width, y1: height - pad.bottom, y2: height - pad.bottom, class: "axis" });
  el("text", { x: pad.left - 6, y: pad.top + 4, "text-anchor": "end", class: "tick" }, String(max));
  el("text", { x: pad.left - 6, y: height - pad.bottom, "text-anchor": "end", class: "tick" }, "0");
  hours.forEach((n, hour) => {
    const barHeight = (n / max) * plot;
    const x = pad.left + hour * barWidth + 2;
    const bar = el("rect", { x, y: height - pad.bottom - barHeight, width: barWidth - 4, height: barHeight, class: "bar" });
    const title = document.createElementNS(SVG, "title");
    title.textContent = fmt(_("{hour}:00 – {n} contacts"), { hour: String(hour).padStart(2, "0"), n });
    bar.append(title);
    if (hour % 3 === 0) el("text", { x: x + (barWidth - 4) / 2, y: height - 6, "text-anchor": "middle", class: "tick" }, String(hour).padStart(2, "0"));
  });
  const details = h("details", { class: "chart-data" }, h("summary", { text: _("Show the figures") }),
    table(_("Contacts per hour"), [_("Hour"), _("Contacts")], hours.map((n, i) => [`${String(i).padStart(2, "0")}:00`, n]).filter((r) => r[1])));
  const wrap = h("div", {});
  wrap.append(svg, details);
  return wrap;
}

/** `counsellors.updated`: the users table follows presence and accounts live. */
export function teamChanged(items) {
  if (state.open && state.me && ["supervisor", "admin"].includes(state.me.role)) users.renderUsers(items);
}
