/*
 * eGuidance counsellor inbox: the entry module. Sign-in, take next, presence, the
 * live socket and the keyboard shortcuts. The open conversation is in
 * conversation.js, the sidebar lists in lists.js, the timeline in timeline.js, the composer in
 * composer.js (its canned replies in canned.js), the side panels in panels.js, referral.js and phone.js, urgent
 * alerts in alerts.js and the supervisors' dashboard in dashboard.js.
 */
import { $, _, api, errorText, onUnauthorized } from "./core.js";
import { state } from "./state.js";
import * as alerts from "./alerts.js";
import * as canned from "./canned.js";
import * as composer from "./composer.js";
import { openConversation, reloadCurrent, renderConvHeader, runAction } from "./conversation.js";
import * as dashboard from "./dashboard.js";
import * as lists from "./lists.js";
import * as panels from "./panels.js";
import * as phone from "./phone.js";
import * as referral from "./referral.js";
import { upsertMessage } from "./timeline.js";

const local = { mineRefreshTimer: null };

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

function refreshMineSoon() {
  clearTimeout(local.mineRefreshTimer);
  local.mineRefreshTimer = setTimeout(() => {
    lists.loadMine().catch(() => {});
    lists.loadTeam();
  }, 300);
}

// ---------------------------------------------------------------- take next, presence

async function takeNext() {
  const msg = $("take-next-msg");
  msg.textContent = "";
  try {
    const data = await api("POST", "/api/queue/take-next");
    await Promise.all([lists.loadQueue(), lists.loadMine()]).catch(() => {});
    lists.loadTeam();
    await openConversation(data.conversation.conversation_id);
  } catch (err) {
    msg.textContent = errorText(err);
  }
}

async function setPresence(value) {
  try {
    await api("PUT", "/api/me/presence", { presence: value });
  } catch (err) {
    $("take-next-msg").textContent = errorText(err);
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
    lists.setQueue(p && Array.isArray(p.items) ? p.items : []);
    alerts.refresh();
    dashboard.changed();
  });
  socket.on("conversation.updated", onConversationUpdated);
  socket.on("message.created", onMessageCreated);
  socket.on("message.updated", (p) => {
    if (p && p.message && state.current && state.current.id === p.conversation_id) upsertMessage(p.message);
  });
  socket.on("triage.alert", onTriageAlert);
  socket.on("counsellors.updated", (p) => {
    if (!p || !Array.isArray(p.items)) return;
    lists.setTeam(p.items);
    dashboard.teamChanged(p.items);
    if (state.current) renderConvHeader(state.current);
  });
  socket.on("referral.follow_up", (p) => p && lists.addFollowUp(p));
  socket.on("referral.updated", onReferralUpdated);
  socket.on("typing", (p) => {
    if (!p || !state.current || p.conversation_id !== state.current.id || p.author === "counsellor") return;
    composer.showTyping(Boolean(p.typing));
  });
}

function onSocketConnect() {
  setConnection("live");
  if (state.everConnected) {
    lists.loadQueue().catch(() => {});
    lists.loadMine().catch(() => {});
    lists.loadTeam();
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
  const wasMine = state.mine.some((c) => c.conversation_id === p.conversation_id);
  const isMineNow = state.me && p.assignee_id === state.me.id;
  if (conv && conv.id === p.conversation_id) {
    const before = conv.assignee_id;
    for (const key of ["status", "assignee_id", "urgent", "level"]) if (key in p) conv[key] = p[key];
    renderConvHeader(conv);
    if ("assignee_id" in p && p.assignee_id !== before) reloadCurrent();
  }
  if (wasMine || isMineNow) refreshMineSoon();
  else lists.loadTeam();
  dashboard.changed();
}

function onMessageCreated(p) {
  if (!p || !p.message) return;
  if (state.current && state.current.id === p.conversation_id) {
    upsertMessage(p.message);
    if (p.message.direction === "in") composer.showTyping(false);
    return;
  }
  if (p.message.direction === "in" && state.mine.some((c) => c.conversation_id === p.conversation_id)) {
    state.unread.add(p.conversation_id);
    lists.renderMine();
  }
}

/** A referral was proposed, booked or changed (by anyone): the open conversation's list
 * and the free times the referral panel shows follow. */
function onReferralUpdated(p) {
  if (!p) return;
  if (state.current && state.current.id === p.conversation_id) reloadCurrent();
  referral.referralChanged(p);
  dashboard.changed();
}

function onTriageAlert(p) {
  if (!p) return;
  state.alerts.add(p.conversation_id);
  state.reasons.set(p.conversation_id, p.reasons || []);
  alerts.beep();
  alerts.notify(p);
  lists.renderLists();
  if (state.current && state.current.id === p.conversation_id) reloadCurrent();
}

// ---------------------------------------------------------------- keyboard

function onShortcut(event) {
  if (!event.altKey || event.ctrlKey || event.metaKey || !state.me) return;
  const key = event.key.toLowerCase();
  const is = (letter) => key === letter || event.code === `Key${letter.toUpperCase()}`;
  if (is("n")) takeNext();
  else if (is("r")) composer.focus(false);
  else if (is("i")) composer.focus(true);
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
  $("alert-banner").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-id]");
    if (!button) return;
    $("alert-banner").hidden = true;
    openConversation(lists.decodeId(button.dataset.id));
  });
  $("btn-take-next").addEventListener("click", takeNext);
  $("btn-claim").addEventListener("click", () => runAction("claim"));
  $("btn-release").addEventListener("click", () => runAction("release"));
  $("btn-close").addEventListener("click", () => runAction("close"));
  $("btn-shortcuts").addEventListener("click", toggleShortcuts);
  $("presence").addEventListener("change", (e) => setPresence(e.target.value));
  document.addEventListener("keydown", onShortcut);
}

async function startInbox(me) {
  state.me = me;
  $("me-name").textContent = me.name || me.email || "";
  showView("inbox");
  const reload = reloadCurrent;
  lists.init({ open: openConversation, colleagues: panels.setColleagues });
  panels.init({ reload, open: openConversation, lists: () => Promise.all([lists.loadQueue(), lists.loadMine()]) });
  referral.init({ reload });
  phone.init({ reload });
  composer.init();
  canned.init(); // the canned replies follow the open conversation's language
  alerts.init(openConversation);
  dashboard.init(me);
  connectSocket();
  setInterval(lists.tickWaitingTimes, 1000);
  await Promise.all([lists.loadQueue(), lists.loadMine(), lists.loadTeam(), lists.loadFollowUps()]).catch(() => {});
  const match = /^#conversation-(.+)$/.exec(location.hash);
  if (match) openConversation(lists.decodeId(decodeURIComponent(match[1])));
}

async function boot() {
  onUnauthorized(sessionExpired);
  wireEvents();
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
