/*
 * eGuidance counsellor inbox (plain version).
 *
 * Loaded by counsellor_ui/templates/inbox.html after the socket.io client.
 * ES2020, no framework. A CSP without 'unsafe-inline' applies, so: no inline
 * handlers, no eval, and every piece of data is rendered with textContent.
 */
(() => {
  "use strict";

  const MAX_LEN = 4000;
  const TYPING_IDLE_MS = 2500;
  const REMOTE_TYPING_TTL_MS = 8000;

  // ---------------------------------------------------------------- texts

  const I18N = {
    en: {
      loading: "Loading…",
      loginTitle: "Counsellor sign-in",
      email: "E-mail",
      password: "Password",
      signIn: "Sign in",
      signOut: "Sign out",
      loginFailed: "Wrong e-mail or password.",
      appTitle: "eGuidance inbox",
      language: "Language",
      lists: "Conversations",
      queue: "Queue",
      queueEmpty: "No one is waiting.",
      mine: "My conversations",
      mineEmpty: "You have no active conversations.",
      pickConversation: "Choose a conversation in the queue.",
      claim: "Claim",
      release: "Release",
      closeConv: "Close",
      confirmClose: "Close this conversation?",
      triage: "Triage",
      timeline: "Messages",
      reply: "Reply",
      internalNote: "Internal note",
      sendHint: "Ctrl+Enter sends",
      internalHint: "Internal note – only counsellors see it. Ctrl+Enter saves.",
      send: "Send",
      saveNote: "Save note",
      urgent: "URGENT",
      anonymous: "Anonymous",
      contact: "Contact",
      counsellor: "Counsellor",
      bot: "Bot",
      system: "System",
      you: "You",
      writing: "The contact is writing…",
      live: "Live",
      reconnecting: "Reconnecting…",
      offline: "Offline – trying again",
      claimedByYou: "Yours",
      claimedByOther: "Claimed by a colleague",
      alreadyClaimed: "A colleague has already claimed this conversation.",
      requestFailed: "Something went wrong. Please try again.",
      sessionExpired: "Your session has expired. Please sign in again.",
      referTo: "Refer to",
      noReasons: "No reasons recorded.",
      position: (n) => `#${n}`,
      waited: (text) => `waiting ${text}`,
      duration: (h, m, s) => (h ? `${h} h ${m} min` : `${m} min ${String(s).padStart(2, "0")} s`),
      newMessages: "New messages",
      status: { bot: "Bot", waiting: "Waiting", active: "Active", pending: "Pending", closed: "Closed" },
      level: { self_help: "Self-help", brief: "Brief guidance", face_to_face: "Face-to-face" },
      channel: { webchat: "Chat", chat: "Chat", sms: "SMS", email: "E-mail", voice: "Phone", phone: "Phone" },
      delivery: { queued: "queued", sent: "sent", delivered: "delivered", failed: "NOT DELIVERED", received: "" },
      refer: {
        youth_guidance: "Youth guidance",
        study_guidance: "Study guidance",
        jobcentre: "Jobcentre",
        health_social: "Health / social services",
      },
    },
    da: {
      loading: "Indlæser…",
      loginTitle: "Log ind som vejleder",
      email: "E-mail",
      password: "Adgangskode",
      signIn: "Log ind",
      signOut: "Log ud",
      loginFailed: "Forkert e-mail eller adgangskode.",
      appTitle: "eGuidance indbakke",
      language: "Sprog",
      lists: "Samtaler",
      queue: "Kø",
      queueEmpty: "Ingen venter.",
      mine: "Mine samtaler",
      mineEmpty: "Du har ingen aktive samtaler.",
      pickConversation: "Vælg en samtale i køen.",
      claim: "Tag samtalen",
      release: "Frigiv",
      closeConv: "Afslut",
      confirmClose: "Vil du afslutte samtalen?",
      triage: "Visitation",
      timeline: "Beskeder",
      reply: "Svar",
      internalNote: "Intern note",
      sendHint: "Ctrl+Enter sender",
      internalHint: "Intern note – kun vejledere kan se den. Ctrl+Enter gemmer.",
      send: "Send",
      saveNote: "Gem note",
      urgent: "AKUT",
      anonymous: "Anonym",
      contact: "Borger",
      counsellor: "Vejleder",
      bot: "Bot",
      system: "System",
      you: "Dig",
      writing: "Borgeren skriver…",
      live: "Forbundet",
      reconnecting: "Genforbinder…",
      offline: "Offline – prøver igen",
      claimedByYou: "Din",
      claimedByOther: "Taget af en kollega",
      alreadyClaimed: "En kollega har allerede taget samtalen.",
      requestFailed: "Noget gik galt. Prøv igen.",
      sessionExpired: "Du er blevet logget ud. Log ind igen.",
      referTo: "Henvis til",
      noReasons: "Ingen begrundelser registreret.",
      position: (n) => `nr. ${n}`,
      waited: (text) => `venter ${text}`,
      duration: (h, m, s) => (h ? `${h} t ${m} min` : `${m} min ${String(s).padStart(2, "0")} s`),
      newMessages: "Nye beskeder",
      status: { bot: "Bot", waiting: "Venter", active: "Aktiv", pending: "Afventer", closed: "Afsluttet" },
      level: { self_help: "Selvhjælp", brief: "Kort vejledning", face_to_face: "Personlig vejledning" },
      channel: { webchat: "Chat", chat: "Chat", sms: "SMS", email: "E-mail", voice: "Telefon", phone: "Telefon" },
      delivery: { queued: "i kø", sent: "sendt", delivered: "leveret", failed: "IKKE LEVERET", received: "" },
      refer: {
        youth_guidance: "Ungdommens Uddannelsesvejledning",
        study_guidance: "Studievejledning",
        jobcentre: "Jobcenter",
        health_social: "Sundhed / socialområdet",
      },
    },
  };

  // ---------------------------------------------------------------- state

  const state = {
    lang: pickLanguage(),
    me: null,
    socket: null,
    everConnected: false,
    connection: "none", // live | reconnecting | offline
    queue: [],
    mine: [],
    current: null, // the open conversation as GET /api/conversations/{id} returned it
    openSeq: 0, // guards against a slow response for a conversation we already left
    alerts: new Set(), // conversation ids with a triage alert not yet looked at
    unread: new Set(), // conversation ids with new inbound messages
    localTyping: false,
    typingTimer: null,
    remoteTypingTimer: null,
    mineRefreshTimer: null,
    audio: null,
  };

  const $ = (id) => document.getElementById(id);
  const t = () => I18N[state.lang];

  function pickLanguage() {
    let saved = null;
    try {
      saved = localStorage.getItem("eguidance:inbox:language");
    } catch (_) { /* storage blocked */ }
    const lang = saved || document.body.dataset.language || "en";
    return lang === "da" ? "da" : "en";
  }

  // ---------------------------------------------------------------- small helpers

  function h(tag, props = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) el.append(child);
    return el;
  }

  function label(table, key) {
    return (t()[table] && t()[table][key]) || (key === null || key === undefined ? "" : String(key));
  }

  function toDate(at) {
    if (typeof at === "number") return new Date(at < 1e12 ? at * 1000 : at);
    const d = new Date(at);
    return Number.isNaN(d.getTime()) ? null : d;
  }

  function formatTime(at) {
    const d = toDate(at);
    if (!d) return "";
    const pad = (n) => String(n).padStart(2, "0");
    const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const sameDay = d.toDateString() === new Date().toDateString();
    return sameDay ? time : `${pad(d.getDate())}.${pad(d.getMonth() + 1)}. ${time}`;
  }

  function formatWaiting(since) {
    const d = toDate(since);
    if (!d) return "";
    const total = Math.max(0, Math.floor((Date.now() - d.getTime()) / 1000));
    return t().duration(Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60);
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  // ---------------------------------------------------------------- REST

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message || `HTTP ${status}`);
      this.status = status;
      this.code = code || null;
    }
  }

  async function api(method, path, body) {
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
    } catch (err) {
      throw new ApiError(0, "network", err.message);
    }
    let data = null;
    try {
      data = await res.json();
    } catch (_) { /* empty body */ }
    if (!res.ok) {
      const error = (data && data.error) || {};
      if (res.status === 401 && state.me && path !== "/api/auth/login") sessionExpired();
      throw new ApiError(res.status, error.code, error.message);
    }
    return data || {};
  }

  // ---------------------------------------------------------------- i18n of static markup

  function applyStaticTexts() {
    document.documentElement.lang = state.lang;
    for (const el of document.querySelectorAll("[data-i18n]")) {
      const text = t()[el.dataset.i18n];
      if (typeof text === "string") el.textContent = text;
    }
    for (const el of document.querySelectorAll("[data-i18n-label]")) {
      el.setAttribute("aria-label", t()[el.dataset.i18nLabel] || "");
    }
    $("lang-da").setAttribute("aria-pressed", String(state.lang === "da"));
    $("lang-en").setAttribute("aria-pressed", String(state.lang === "en"));
  }

  function setLanguage(lang) {
    state.lang = lang === "da" ? "da" : "en";
    try {
      localStorage.setItem("eguidance:inbox:language", state.lang);
    } catch (_) { /* not important */ }
    applyStaticTexts();
    renderLists();
    renderConversation();
    renderConnection();
  }

  // ---------------------------------------------------------------- login / logout

  function showView(name) {
    $("boot").hidden = true;
    $("login-view").hidden = name !== "login";
    $("inbox-view").hidden = name !== "inbox";
  }

  async function onLoginSubmit(event) {
    event.preventDefault();
    const email = $("login-email").value.trim();
    const password = $("login-password").value;
    $("login-error").textContent = "";
    try {
      await api("POST", "/api/auth/login", { email, password });
      // Reload so the server renders a CSRF token bound to the new session.
      location.reload();
    } catch (err) {
      $("login-error").textContent = err.status === 401 ? t().loginFailed : err.message || t().requestFailed;
      $("login-password").select();
    }
  }

  async function onLogout() {
    try {
      await api("POST", "/api/auth/logout");
    } catch (_) { /* we leave anyway */ }
    location.hash = "";
    location.reload();
  }

  function sessionExpired() {
    state.me = null;
    if (state.socket) state.socket.disconnect();
    showView("login");
    $("login-error").textContent = t().sessionExpired;
    $("login-email").focus();
  }

  // ---------------------------------------------------------------- lists (queue, mine)

  async function loadQueue() {
    const data = await api("GET", "/api/queue");
    state.queue = Array.isArray(data.items) ? data.items : [];
    renderQueue();
  }

  async function loadMine() {
    const data = await api("GET", "/api/conversations?status=active&mine=1");
    state.mine = Array.isArray(data.items) ? data.items : [];
    renderMine();
  }

  /** Coalesce the bursts of conversation.updated into one refetch. */
  function refreshMineSoon() {
    clearTimeout(state.mineRefreshTimer);
    state.mineRefreshTimer = setTimeout(() => loadMine().catch(() => {}), 300);
  }

  function renderLists() {
    renderQueue();
    renderMine();
  }

  function renderQueue() {
    // Urgent first; otherwise keep the server's queue order (stable sort).
    const items = [...state.queue].sort((a, b) => Number(Boolean(b.urgent)) - Number(Boolean(a.urgent)));
    fillList($("queue-list"), items, true);
    $("queue-empty").hidden = items.length > 0;
    $("queue-count").textContent = items.length ? `(${items.length})` : "";
    updateDocumentTitle();
  }

  function renderMine() {
    fillList($("mine-list"), state.mine, false);
    $("mine-empty").hidden = state.mine.length > 0;
    $("mine-count").textContent = state.mine.length ? `(${state.mine.length})` : "";
  }

  function fillList(list, items, inQueue) {
    list.replaceChildren(...items.map((item) => buildListItem(item, inQueue)));
  }

  function buildListItem(item, inQueue) {
    const id = item.conversation_id;
    const classes = ["conv-item"];
    if (item.urgent) classes.push("urgent");
    if (state.alerts.has(id)) classes.push("alert");
    if (state.current && state.current.id === id) classes.push("selected");
    const button = h("button", { type: "button", class: classes.join(" "), "data-id": id });
    if (state.current && state.current.id === id) button.setAttribute("aria-current", "true");

    const top = h("span", { class: "conv-item-top" });
    if (item.urgent) top.append(h("span", { class: "badge badge-urgent", text: t().urgent }));
    top.append(h("span", { class: "badge", text: label("channel", item.channel) }));
    if (item.level) top.append(h("span", { class: `badge level-${item.level}`, text: label("level", item.level) }));
    if (inQueue && item.position) top.append(h("span", { class: "pos", text: t().position(item.position) }));
    if (state.unread.has(id)) top.append(h("span", { class: "dot" }, h("span", { class: "sr-only", text: t().newMessages })));

    const name = h("span", { class: "conv-item-name", text: item.contact_name || t().anonymous });
    // In "My conversations" the contact is no longer waiting for a counsellor.
    const waitingSince = inQueue || item.status === "waiting" ? item.waiting_since : null;
    const since = waitingSince
      ? h("span", { class: "waiting", "data-since": waitingSince, text: t().waited(formatWaiting(waitingSince)) })
      : null;
    const preview = h("span", { class: "preview", text: item.preview || "" });
    const who = inQueue && item.assignee_id ? h("span", { class: "assignee", text: assigneeText(item.assignee_id) }) : null;
    button.append(...[top, name, since, who, preview].filter(Boolean));
    return h("li", {}, button);
  }

  function assigneeText(assigneeId) {
    if (assigneeId === null || assigneeId === undefined) return "";
    return state.me && assigneeId === state.me.id ? t().claimedByYou : t().claimedByOther;
  }

  /** One timer for every waiting time on the page. */
  function tickWaitingTimes() {
    for (const el of document.querySelectorAll("[data-since]")) {
      const since = el.dataset.since;
      if (since) el.textContent = t().waited(formatWaiting(since));
    }
  }

  function updateDocumentTitle() {
    const waiting = state.queue.length;
    const alert = state.alerts.size ? "⚠ " : "";
    document.title = `${alert}${waiting ? `(${waiting}) ` : ""}${t().appTitle}`;
  }

  function onListClick(event) {
    const button = event.target.closest("button[data-id]");
    if (!button) return;
    openConversation(decodeId(button.dataset.id));
  }

  /** Ids come back from data-* as strings; keep numbers numeric so === works. */
  function decodeId(raw) {
    return /^\d+$/.test(raw) ? Number(raw) : raw;
  }

  // ---------------------------------------------------------------- conversation

  async function openConversation(id) {
    const seq = ++state.openSeq;
    setLocalTyping(false);
    $("conv-error").textContent = "";
    try {
      const data = await api("GET", `/api/conversations/${encodeURIComponent(id)}`);
      if (seq !== state.openSeq) return; // the counsellor clicked elsewhere meanwhile
      state.current = data;
      state.alerts.delete(data.id);
      state.unread.delete(data.id);
      history.replaceState(null, "", `#conversation-${data.id}`);
      showTyping(false);
      renderConversation();
      renderLists();
      $("composer-text").focus();
    } catch (err) {
      if (seq === state.openSeq) showConvError(err);
    }
  }

  /** Refetch the open conversation (after a reconnect: events may have been missed). */
  async function reloadCurrent() {
    if (!state.current) return;
    const id = state.current.id;
    try {
      const data = await api("GET", `/api/conversations/${encodeURIComponent(id)}`);
      if (state.current && state.current.id === id) {
        state.current = data;
        renderConversation();
      }
    } catch (_) { /* keep what we have */ }
  }

  function renderConversation() {
    const conv = state.current;
    $("conv-placeholder").hidden = Boolean(conv);
    $("conv-view").hidden = !conv;
    if (!conv) return;
    renderConvHeader(conv);
    renderTriage(conv);
    renderTimeline(conv);
    renderComposerMode();
  }

  function renderConvHeader(conv) {
    const contact = conv.contact || {};
    $("conv-title").textContent = contact.name || t().anonymous;
    const addresses = (contact.addresses || []).map((a) => `${label("channel", a.channel)}: ${a.address}`);
    $("conv-sub").textContent = [label("channel", conv.channel), ...addresses].join(" · ");

    const badges = $("conv-badges");
    badges.replaceChildren();
    if (conv.urgent) badges.append(h("span", { class: "badge badge-urgent", text: t().urgent }));
    badges.append(h("span", { class: `badge status-${conv.status}`, text: label("status", conv.status) }));
    if (conv.level) badges.append(h("span", { class: `badge level-${conv.level}`, text: label("level", conv.level) }));
    if (conv.assignee_id !== null && conv.assignee_id !== undefined) {
      badges.append(h("span", { class: "badge", text: assigneeText(conv.assignee_id) }));
    }
    if (conv.waiting_since && conv.status === "waiting") {
      badges.append(h("span", { class: "waiting", "data-since": conv.waiting_since, text: t().waited(formatWaiting(conv.waiting_since)) }));
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
    if (triage.urgent) parts.push(t().urgent);
    if (triage.level) parts.push(label("level", triage.level));
    if (triage.refer_to) parts.push(`${t().referTo}: ${label("refer", triage.refer_to)}`);
    $("triage-summary").textContent = parts.join(" · ");
    const reasons = Array.isArray(triage.reasons) ? triage.reasons : [];
    const list = $("triage-reasons");
    list.replaceChildren(...reasons.map((r) => h("li", { text: String(r) })));
    if (!reasons.length) list.append(h("li", { class: "muted", text: t().noReasons }));
    $("triage").classList.toggle("urgent", Boolean(triage.urgent || conv.urgent));
  }

  // ---------------------------------------------------------------- timeline

  function renderTimeline(conv) {
    const list = $("timeline");
    const messages = [...(conv.messages || [])].sort((a, b) => Number(a.id) - Number(b.id));
    list.replaceChildren(...messages.map(buildMessage));
    list.scrollTop = list.scrollHeight;
  }

  function buildMessage(msg) {
    const kind = msg.internal ? "internal" : msg.direction === "in" ? "in" : `out author-${msg.author || "counsellor"}`;
    const li = h("li", { class: `msg ${kind}`, "data-id": msg.id });
    const meta = h("p", { class: "msg-meta" });
    if (msg.internal) meta.append(h("strong", { class: "note-label", text: t().internalNote }), " · ");
    meta.append(authorLabel(msg));
    if (msg.channel) meta.append(` · ${label("channel", msg.channel)}`);
    meta.append(` · ${formatTime(msg.at)}`);
    const delivery = msg.direction === "out" && !msg.internal ? label("delivery", msg.status) : "";
    if (delivery) meta.append(h("span", { class: `delivery delivery-${msg.status}`, text: ` · ${delivery}` }));
    li.append(meta, h("p", { class: "msg-text", text: String(msg.text ?? "") }));
    return li;
  }

  function authorLabel(msg) {
    if (msg.direction === "in") {
      const contact = state.current && state.current.contact;
      return msg.author_name || (contact && contact.name) || t().contact;
    }
    if (msg.author_name) return msg.author_name;
    if (msg.author === "bot") return t().bot;
    if (msg.author === "system") return t().system;
    return t().counsellor;
  }

  /** Add or replace one message in the open timeline (deduped by id). */
  function upsertMessage(msg) {
    const conv = state.current;
    if (!conv) return;
    conv.messages = conv.messages || [];
    const index = conv.messages.findIndex((m) => String(m.id) === String(msg.id));
    if (index >= 0) {
      // A late copy (the POST's answer, a replayed event) must not move the
      // delivery status back, e.g. from "sent" to "queued".
      const known = conv.messages[index];
      if (deliveryRank(known.status) > deliveryRank(msg.status)) msg = { ...msg, status: known.status };
      conv.messages[index] = msg;
    } else conv.messages.push(msg);

    const list = $("timeline");
    const stick = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const el = buildMessage(msg);
    const existing = list.querySelector(`li[data-id="${CSS.escape(String(msg.id))}"]`);
    if (existing) existing.replaceWith(el);
    else insertMessageElement(list, el, Number(msg.id));
    if (stick || msg.direction === "out") list.scrollTop = list.scrollHeight;
  }

  function deliveryRank(status) {
    return { queued: 1, sent: 2, delivered: 3, failed: 3 }[status] || 0;
  }

  function insertMessageElement(list, el, id) {
    const after = [...list.children].find((li) => Number(li.dataset.id) > id) || null;
    list.insertBefore(el, after);
  }

  // ---------------------------------------------------------------- actions

  async function runAction(action) {
    const conv = state.current;
    if (!conv) return;
    if (action === "close" && !window.confirm(t().confirmClose)) return;
    $("conv-error").textContent = "";
    try {
      await api("POST", `/api/conversations/${encodeURIComponent(conv.id)}/${action}`);
      await reloadCurrent();
      await Promise.all([loadQueue(), loadMine()]);
    } catch (err) {
      showConvError(err);
      if (err.status === 409) reloadCurrent();
    }
  }

  function showConvError(err) {
    if (err.status === 401) return; // handled by sessionExpired()
    const text = err.code === "already_claimed" ? t().alreadyClaimed : err.message || t().requestFailed;
    $("conv-error").textContent = text;
  }

  async function sendComposer() {
    const conv = state.current;
    const input = $("composer-text");
    const text = input.value.trim();
    if (!conv || !text) return;
    const internal = $("composer-internal").checked;
    const button = $("composer-send");
    button.disabled = true;
    $("conv-error").textContent = "";
    try {
      const data = await api("POST", `/api/conversations/${encodeURIComponent(conv.id)}/messages`, { text, internal });
      setLocalTyping(false);
      input.value = "";
      if (data.message && state.current && state.current.id === conv.id) upsertMessage(data.message);
    } catch (err) {
      showConvError(err); // the text stays in the box so nothing is lost
    } finally {
      button.disabled = false;
      input.focus();
    }
  }

  function renderComposerMode() {
    const internal = $("composer-internal").checked;
    $("composer").classList.toggle("is-internal", internal);
    $("composer-send").textContent = internal ? t().saveNote : t().send;
    $("composer-hint").textContent = internal ? t().internalHint : t().sendHint;
  }

  function onComposerKeydown(event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      sendComposer();
    }
  }

  // ---------------------------------------------------------------- typing

  function onComposerInput() {
    // Writing an internal note must never show "is writing" to the contact.
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
    const socket = state.socket;
    if (socket && socket.connected && state.current) {
      socket.emit("typing", { conversation_id: state.current.id, typing: on });
    }
  }

  function showTyping(on) {
    clearTimeout(state.remoteTypingTimer);
    $("conv-typing").textContent = on ? t().writing : "";
    if (on) state.remoteTypingTimer = setTimeout(() => showTyping(false), REMOTE_TYPING_TTL_MS);
  }

  // ---------------------------------------------------------------- alert sound

  /** Browsers only allow audio after a user gesture; unlock on the first one. */
  function unlockAudio() {
    if (state.audio || !(window.AudioContext || window.webkitAudioContext)) return;
    const Ctx = window.AudioContext || window.webkitAudioContext;
    state.audio = new Ctx();
  }

  function beep() {
    const ctx = state.audio;
    if (!ctx) return;
    if (ctx.state === "suspended") ctx.resume();
    [0, 0.25].forEach((offset) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "sine";
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
      state.queue = (p && Array.isArray(p.items)) ? p.items : [];
      renderQueue();
    });
    socket.on("conversation.updated", onConversationUpdated);
    socket.on("message.created", onMessageCreated);
    socket.on("message.updated", onMessageUpdated);
    socket.on("triage.alert", onTriageAlert);
    socket.on("typing", onRemoteTyping);
  }

  function onSocketConnect() {
    setConnection("live");
    // Anything emitted while we were away is lost; refetch the truth.
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
    if (!socket || socket.active) return; // socket.io retries transport errors itself
    // Refused: usually the session cookie has expired. Check, then retry later.
    try {
      await api("GET", "/api/me");
      setTimeout(() => socket.connect(), 5000);
    } catch (_) { /* api() has shown the login form on 401 */ }
  }

  function setConnection(value) {
    state.connection = value;
    renderConnection();
  }

  function renderConnection() {
    const el = $("conn-state");
    el.textContent = { live: t().live, reconnecting: t().reconnecting, offline: t().offline }[state.connection] || "";
    el.className = `conn conn-${state.connection || "none"}`;
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

  /** The outbox moved a message's delivery status (sent, delivered, failed). */
  function onMessageUpdated(p) {
    if (!p || !p.message || !state.current || state.current.id !== p.conversation_id) return;
    upsertMessage(p.message);
  }

  function onTriageAlert(p) {
    if (!p) return;
    state.alerts.add(p.conversation_id);
    beep();
    renderLists();
    if (state.current && state.current.id === p.conversation_id) {
      state.current.urgent = true;
      state.current.triage = { ...(state.current.triage || {}), urgent: true, reasons: p.reasons || [] };
      renderConversation();
    }
  }

  function onRemoteTyping(p) {
    if (!p || !state.current || p.conversation_id !== state.current.id) return;
    if (p.author === "counsellor") return; // a colleague or our own echo
    showTyping(Boolean(p.typing));
  }

  // ---------------------------------------------------------------- start

  function wireEvents() {
    $("login-form").addEventListener("submit", onLoginSubmit);
    $("logout").addEventListener("click", onLogout);
    $("lang-da").addEventListener("click", () => setLanguage("da"));
    $("lang-en").addEventListener("click", () => setLanguage("en"));
    $("queue-list").addEventListener("click", onListClick);
    $("mine-list").addEventListener("click", onListClick);
    $("btn-claim").addEventListener("click", () => runAction("claim"));
    $("btn-release").addEventListener("click", () => runAction("release"));
    $("btn-close").addEventListener("click", () => runAction("close"));
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
    document.addEventListener("pointerdown", unlockAudio, { once: true });
    document.addEventListener("keydown", unlockAudio, { once: true });
  }

  async function startInbox(me) {
    state.me = me;
    $("me-name").textContent = me.name || me.email || "";
    showView("inbox");
    connectSocket();
    setInterval(tickWaitingTimes, 1000);
    await Promise.all([loadQueue(), loadMine()]).catch(() => {});
    const match = /^#conversation-(.+)$/.exec(location.hash);
    if (match) openConversation(decodeId(decodeURIComponent(match[1])));
  }

  async function boot() {
    applyStaticTexts();
    renderComposerMode();
    wireEvents();
    $("composer-text").setAttribute("maxlength", String(MAX_LEN));
    try {
      const me = await api("GET", "/api/me");
      // GET /api/me may answer the counsellor itself or {counsellor: {...}}.
      await startInbox(me.counsellor || me);
    } catch (err) {
      showView("login");
      if (err.status !== 401) $("login-error").textContent = t().requestFailed;
      $("login-email").focus();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot, { once: true });
  else boot();
})();
