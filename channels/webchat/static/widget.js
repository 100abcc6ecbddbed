/*
 * eGuidance chat widget.
 *
 * Embed with one tag on any page:
 *   <script src="https://guidance.example/widget.js" data-language="da" async></script>
 *
 * Plain ES2020, no build step. Everything lives in this IIFE; the only global is
 * window.eGuidanceWidget = { open(), close(), setLanguage(lang) }.
 * The UI is rendered in a Shadow DOM so the host page's CSS cannot reach it.
 * Every text that comes from a user or the server is set with textContent /
 * text nodes; innerHTML is never used.
 */
(() => {
  "use strict";

  if (window.eGuidanceWidget) return; // the tag was included twice

  const MAX_LEN = 4000;
  const ACK_TIMEOUT_MS = 10000;
  const RETRY_MIN_MS = 1000;
  const RETRY_MAX_MS = 30000;
  const MAX_ERROR_ACKS = 8; // error acks (not timeouts) before we give up on one message
  const TYPING_IDLE_MS = 2500;
  const REMOTE_TYPING_TTL_MS = 8000; // hide "is writing" if typing:false got lost
  const RECENT_ACTIVITY_MS = 12 * 3600 * 1000;
  const PERMANENT_ERRORS = new Set(["too_long", "empty", "invalid", "bad_request"]);

  // ---------------------------------------------------------------- texts

  const TEXTS = {
    da: {
      launcher: "Chat med en vejleder",
      title: "Chat med en vejleder",
      subtitle: "eGuidance – anonym vejledning om uddannelse og job",
      close: "Luk chat",
      languageGroup: "Sprog",
      log: "Samtale",
      welcome:
        "Hej! Skriv dit spørgsmål om uddannelse, job eller SU, så svarer en vejleder dig. " +
        "Du kan være anonym – skriv ikke dit CPR-nummer.",
      inputLabel: "Skriv din besked",
      placeholder: "Skriv dit spørgsmål her…",
      hint: "Enter sender. Shift+Enter giver ny linje.",
      counter: (n) => `${n} / ${MAX_LEN} tegn`,
      send: "Send",
      you: "Dig",
      counsellor: "Vejleder",
      bot: "Automatisk svar",
      sending: "sender…",
      notSent: "Ikke sendt",
      tooLong: `Beskeden er for lang. Du kan højst skrive ${MAX_LEN} tegn – del den gerne op i flere beskeder.`,
      sendFailed: "Beskeden kunne ikke sendes. Prøv igen.",
      queue: (pos, min) =>
        `Du er nummer ${pos} i køen.` +
        (min ? ` Forventet ventetid: ca. ${min} ${min === 1 ? "minut" : "minutter"}.` : ""),
      typing: "Vejlederen skriver…",
      closedNow: (hours) =>
        `Vi har lukket lige nu. Åbningstider: ${hours}. Du kan stadig skrive; vi svarer, når vi åbner.`,
      ended: "Samtalen er afsluttet.",
      startAgain: "Skriv en ny besked, hvis du vil starte en ny samtale.",
      connecting: "Forbinder…",
      offline: "Forbindelsen er afbrudt. Vi prøver igen – dine beskeder bliver sendt, når forbindelsen er tilbage.",
      unavailable: "Chatten kan ikke indlæses lige nu. Prøv igen senere.",
      unread: (n) => (n === 1 ? "1 ny besked" : `${n} nye beskeder`),
    },
    en: {
      launcher: "Chat with a counsellor",
      title: "Chat with a counsellor",
      subtitle: "eGuidance – anonymous guidance on education and jobs",
      close: "Close chat",
      languageGroup: "Language",
      log: "Conversation",
      welcome:
        "Hi! Ask your question about education, jobs or student grants and a counsellor will answer. " +
        "You can stay anonymous – please do not write your CPR number.",
      inputLabel: "Write your message",
      placeholder: "Type your question here…",
      hint: "Enter sends. Shift+Enter adds a new line.",
      counter: (n) => `${n} / ${MAX_LEN} characters`,
      send: "Send",
      you: "You",
      counsellor: "Counsellor",
      bot: "Automatic reply",
      sending: "sending…",
      notSent: "Not sent",
      tooLong: `The message is too long. You can write at most ${MAX_LEN} characters – please split it into several messages.`,
      sendFailed: "The message could not be sent. Please try again.",
      queue: (pos, min) =>
        `You are number ${pos} in the queue.` +
        (min ? ` Estimated wait: about ${min} ${min === 1 ? "minute" : "minutes"}.` : ""),
      typing: "The counsellor is writing…",
      closedNow: (hours) =>
        `We are closed right now. Opening hours: ${hours}. You can still write; we answer when we open.`,
      ended: "The conversation has ended.",
      startAgain: "Write a new message if you want to start a new conversation.",
      connecting: "Connecting…",
      offline: "Connection lost. Trying again – your messages will be sent when the connection is back.",
      unavailable: "The chat cannot be loaded right now. Please try again later.",
      unread: (n) => (n === 1 ? "1 new message" : `${n} new messages`),
    },
  };

  // ---------------------------------------------------------------- where we come from

  const script = findOwnScript();
  if (!script) return;
  const srcUrl = new URL(script.src, location.href);
  // The server may be mounted under a prefix; keep it for the socket.io path.
  const prefix = srcUrl.pathname.replace(/\/widget\.js$/, "").replace(/\/+$/, "");
  const base = srcUrl.origin + prefix;
  const store = makeStore("eguidance:" + base + ":");
  const pageLanguage = normaliseLanguage(script.dataset.language);

  function findOwnScript() {
    const current = document.currentScript;
    if (current && current.src) return current;
    // currentScript is null when we run from a callback; find the tag by its URL.
    const scripts = Array.from(document.querySelectorAll("script[src]")).reverse();
    return scripts.find((s) => {
      try {
        return new URL(s.src, location.href).pathname.endsWith("/widget.js");
      } catch (_) {
        return false;
      }
    }) || null;
  }

  // ---------------------------------------------------------------- storage

  /** localStorage under one prefix; falls back to memory when storage is blocked. */
  function makeStore(keyPrefix) {
    const memory = new Map();
    let ls = null;
    try {
      ls = window.localStorage;
      ls.getItem(keyPrefix);
    } catch (_) {
      ls = null;
    }
    const get = (key) => {
      try {
        if (ls) return ls.getItem(keyPrefix + key);
      } catch (_) { /* fall through to memory */ }
      return memory.has(key) ? memory.get(key) : null;
    };
    const set = (key, value) => {
      memory.set(key, value);
      try {
        if (!ls) return;
        if (value === null || value === undefined) ls.removeItem(keyPrefix + key);
        else ls.setItem(keyPrefix + key, String(value));
      } catch (_) { /* quota or privacy mode: memory copy is enough for this page */ }
    };
    const getJSON = (key, fallback) => {
      try {
        const raw = get(key);
        return raw ? JSON.parse(raw) : fallback;
      } catch (_) {
        return fallback;
      }
    };
    return { get, set, getJSON, setJSON: (key, value) => set(key, JSON.stringify(value)) };
  }

  // Unacked outgoing messages. Read-modify-write each time so two tabs do not
  // overwrite each other's entries.
  const outbox = {
    list() {
      const items = store.getJSON("outbox", []);
      return Array.isArray(items)
        ? items.filter((i) => i && typeof i.client_id === "string" && typeof i.text === "string")
        : [];
    },
    add(item) {
      const items = this.list();
      if (!items.some((i) => i.client_id === item.client_id)) items.push(item);
      store.setJSON("outbox", items);
    },
    remove(clientId) {
      store.setJSON("outbox", this.list().filter((i) => i.client_id !== clientId));
    },
  };

  // ---------------------------------------------------------------- state

  const state = {
    lang: initialLanguage(),
    isOpen: false,
    socket: null,
    loading: false,
    ioPromise: null,
    everConnected: false,
    connection: "idle", // idle | connecting | online | offline | unavailable
    refusals: 0,
    conversationId: null,
    // Highest server message id received in this page. A fresh page starts at 0
    // so the server replays the conversation; reconnects send the real value.
    lastSeenId: 0,
    // Persisted last_seen_id at load: messages above it count as unread.
    readUpTo: Number(store.get("last_seen_id")) || 0,
    unread: 0,
    rendered: new Map(), // server id -> bubble element
    pending: new Map(), // client_id -> bubble element
    inFlight: 0, // attempt number awaiting an ack, 0 when none
    attempt: 0,
    errorAcks: new Map(), // client_id -> count of error acks
    retryTimer: null,
    retryDelay: RETRY_MIN_MS,
    counsellorJoined: false,
    queue: null,
    status: null,
    localTyping: false,
    typingTimer: null,
    remoteTypingTimer: null,
  };

  // Data behind each rendered element, so a language switch can relabel it.
  const bubbleData = new WeakMap();

  function t() {
    return TEXTS[state.lang];
  }

  function normaliseLanguage(value) {
    const v = String(value || "").toLowerCase();
    if (v.startsWith("da")) return "da";
    if (v.startsWith("en")) return "en";
    return null;
  }

  /**
   * The visitor's own toggle wins, but only while the page still asks for the
   * language it asked for when they toggled (so switching the portal to English
   * still switches the widget).
   */
  function initialLanguage() {
    const saved = store.getJSON("language", null);
    if (saved && saved.page === pageLanguage && normaliseLanguage(saved.chosen)) return saved.chosen;
    return pageLanguage || normaliseLanguage(navigator.language) || "en";
  }

  // ---------------------------------------------------------------- DOM helpers

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

  function chatIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    svg.append(path);
    return svg;
  }

  const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;

  /** Append text, turning http(s) URLs into links — built node by node, never parsed as HTML. */
  function appendLinkified(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const url = match[0].replace(/[.,;:!?)\]]+$/, "");
      parent.append(document.createTextNode(text.slice(last, match.index)));
      const a = h("a", { href: url, target: "_blank", rel: "noopener noreferrer" });
      a.textContent = url;
      parent.append(a);
      last = match.index + url.length;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  function toDate(at) {
    let d;
    if (typeof at === "number") d = new Date(at < 1e12 ? at * 1000 : at); // seconds or ms
    else d = at ? new Date(at) : new Date();
    return Number.isNaN(d.getTime()) ? new Date() : d;
  }

  function formatTime(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  // ---------------------------------------------------------------- styles

  const CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.root { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1f23; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
button { font: inherit; cursor: pointer; }
:focus-visible { outline: 3px solid #0b0c0c; outline-offset: 2px; }

.launcher { position: relative; display: flex; align-items: center; gap: 8px; min-height: 48px;
  padding: 10px 18px; border: 2px solid #fff; border-radius: 999px; background: #0b5563; color: #fff;
  font-weight: 600; box-shadow: 0 4px 14px rgba(0, 0, 0, .25); }
.launcher:hover { background: #08424d; }
.launcher:focus-visible { outline-color: #0b0c0c; outline-offset: 3px; }
.launcher svg { width: 22px; height: 22px; fill: currentColor; }
.badge { position: absolute; top: -6px; right: -6px; min-width: 22px; height: 22px; padding: 0 6px;
  border-radius: 11px; background: #b3261e; color: #fff; font-size: 13px; line-height: 22px; text-align: center; }

.panel { position: absolute; right: 0; bottom: 64px; width: 380px; height: 600px;
  max-height: calc(100vh - 100px); display: flex; flex-direction: column; overflow: hidden;
  background: #fff; border: 1px solid #c4ced4; border-radius: 14px; box-shadow: 0 10px 32px rgba(0, 0, 0, .25); }
header { display: flex; align-items: flex-start; gap: 8px; padding: 12px 12px 12px 16px; background: #0b5563; color: #fff; }
header .titles { flex: 1; min-width: 0; }
h2 { margin: 0; font-size: 17px; line-height: 1.3; }
.subtitle { margin: 2px 0 0; font-size: 13px; color: #e3f0f2; }
header :focus-visible { outline-color: #fff; }
.lang { display: flex; border: 1px solid #fff; border-radius: 6px; overflow: hidden; }
.lang button { min-width: 38px; min-height: 32px; padding: 2px 6px; border: 0; background: transparent;
  color: #fff; font-size: 13px; font-weight: 600; }
.lang button[aria-pressed="true"] { background: #fff; color: #0b5563; }
.close { min-width: 36px; min-height: 32px; border: 0; border-radius: 6px; background: transparent;
  color: #fff; font-size: 24px; line-height: 1; }
.close:hover, .lang button[aria-pressed="false"]:hover { background: #08424d; }

.notice { margin: 0; padding: 10px 16px; background: #fff4d6; border-bottom: 1px solid #e8d49a; color: #3d2e00; font-size: 14px; }
.log { flex: 1; overflow-y: auto; padding: 12px 14px; background: #f7f9fa; }
.item { margin: 0 0 12px; display: flex; flex-direction: column; align-items: flex-start; }
.item.visitor { align-items: flex-end; }
.meta { margin: 0 4px 2px; font-size: 12px; color: #4a5560; }
.bubble { max-width: 85%; padding: 8px 12px; border-radius: 12px; border: 1px solid #d5dde2;
  background: #fff; white-space: pre-wrap; overflow-wrap: anywhere; }
.bubble a { color: #0b4f8a; }
.bot .bubble { background: #eef5f0; border-color: #c5dccb; }
.visitor .bubble { background: #0b5563; border-color: #0b5563; color: #fff; border-bottom-right-radius: 4px; }
.visitor .bubble a { color: #fff; }
.counsellor .bubble, .bot .bubble { border-bottom-left-radius: 4px; }
.visitor.pending .bubble { background: #e6eef0; border: 1px dashed #0b5563; color: #1b1f23; }
.visitor.pending .bubble a { color: #0b4f8a; }
.visitor.failed .bubble { background: #fbeceb; border: 1px solid #b3261e; color: #1b1f23; }
.visitor.failed .meta { color: #8c1d18; }
.system, .welcome { align-items: center; text-align: center; }
.system .bubble, .welcome .bubble { max-width: 95%; background: transparent; border: 0; color: #3f4a54; font-size: 14px; }
.welcome .bubble { background: #eef3f5; border-radius: 10px; }

.statusbar { padding: 0 16px; background: #eef3f5; font-size: 14px; color: #1b1f23; }
.statusbar > p { margin: 0; padding: 6px 0; }
.typing { min-height: 0; margin: 0; padding: 0 16px; font-size: 13px; font-style: italic; color: #4a5560; }
.typing:not(:empty) { padding: 4px 16px; }

form { margin: 0; padding: 10px 12px 12px; border-top: 1px solid #d5dde2; background: #fff; }
textarea { display: block; width: 100%; min-height: 64px; max-height: 160px; resize: vertical; padding: 8px 10px;
  border: 1px solid #6b7780; border-radius: 8px; font: inherit; color: #1b1f23; background: #fff; }
textarea:focus-visible { outline: 3px solid #0b5563; outline-offset: 1px; }
.row { display: flex; align-items: center; gap: 8px; margin-top: 6px; }
.hint { flex: 1; font-size: 12px; color: #4a5560; }
.counter { font-size: 12px; color: #4a5560; white-space: nowrap; }
.counter.over { color: #8c1d18; font-weight: 600; }
.send { min-height: 40px; padding: 6px 18px; border: 0; border-radius: 8px; background: #0b5563; color: #fff; font-weight: 600; }
.send:hover { background: #08424d; }
.error { margin: 6px 0 0; font-size: 14px; color: #8c1d18; }
.error:empty { display: none; }

@media (max-width: 480px) {
  .panel { position: fixed; inset: 0; width: 100%; height: 100%; max-height: none; border-radius: 0; border: 0; }
  .launcher-text { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .launcher { padding: 12px; }
  .open .launcher { display: none; } /* the full-screen panel has its own close button */
}
@media (prefers-reduced-motion: no-preference) {
  .launcher, .send { transition: background-color .15s; }
}
`;

  /** Constructable stylesheets are not blocked by a host page's style-src CSP; <style> is the fallback. */
  function applyStyles(shadow) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } catch (_) {
      shadow.append(h("style", { text: CSS }));
    }
  }

  // ---------------------------------------------------------------- build the UI

  const ui = buildUi();

  function buildUi() {
    // A custom element name: page rules like "div { … }" cannot match the host.
    const host = document.createElement("eguidance-widget");
    const pin = { position: "fixed", right: "16px", bottom: "16px", "z-index": "2147483000", display: "block" };
    for (const [prop, value] of Object.entries(pin)) host.style.setProperty(prop, value, "important");
    const shadow = host.attachShadow({ mode: "open" });
    applyStyles(shadow);

    const refs = { host };
    refs.launcherText = h("span", { class: "launcher-text" });
    refs.badge = h("span", { class: "badge", "aria-hidden": "true", hidden: true });
    refs.launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "eg-panel" },
      chatIcon(), refs.launcherText, refs.badge);

    refs.title = h("h2", { id: "eg-title" });
    refs.subtitle = h("p", { class: "subtitle" });
    refs.langDa = h("button", { type: "button", lang: "da", text: "DA" });
    refs.langEn = h("button", { type: "button", lang: "en", text: "EN" });
    refs.langGroup = h("div", { class: "lang", role: "group" }, refs.langDa, refs.langEn);
    refs.close = h("button", { type: "button", class: "close", text: "×" });
    const header = h("header", {}, h("div", { class: "titles" }, refs.title, refs.subtitle), refs.langGroup, refs.close);

    refs.notice = h("p", { class: "notice", role: "note", hidden: true });
    refs.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0" });
    refs.welcome = h("div", { class: "item welcome" }, h("div", { class: "bubble" }));
    refs.welcome.dataset.sortId = "-1";
    refs.log.append(refs.welcome);

    refs.connLine = h("p", { hidden: true });
    refs.queueLine = h("p", { hidden: true });
    refs.statusbar = h("div", { class: "statusbar", role: "status", "aria-live": "polite" }, refs.connLine, refs.queueLine);
    refs.typing = h("p", { class: "typing", "aria-live": "polite" });

    refs.inputLabel = h("label", { for: "eg-input", class: "sr-only" });
    refs.input = h("textarea", { id: "eg-input", rows: "2", maxlength: String(MAX_LEN), "aria-describedby": "eg-hint eg-counter" });
    refs.hint = h("span", { id: "eg-hint", class: "hint" });
    refs.counter = h("span", { id: "eg-counter", class: "counter" });
    refs.send = h("button", { type: "submit", class: "send" });
    refs.error = h("p", { class: "error", role: "alert" });
    refs.form = h("form", { novalidate: true }, refs.inputLabel, refs.input,
      h("div", { class: "row" }, refs.hint, refs.counter, refs.send), refs.error);

    refs.panel = h("section", { id: "eg-panel", class: "panel", role: "dialog", "aria-labelledby": "eg-title", hidden: true },
      header, refs.notice, refs.log, refs.statusbar, refs.typing, refs.form);

    refs.root = h("div", { class: "root" }, refs.panel, refs.launcher);
    shadow.append(refs.root);
    return refs;
  }

  function refreshTexts() {
    const tx = t();
    ui.host.setAttribute("lang", state.lang);
    ui.launcherText.textContent = tx.launcher;
    ui.title.textContent = tx.title;
    ui.subtitle.textContent = tx.subtitle;
    ui.langGroup.setAttribute("aria-label", tx.languageGroup);
    ui.langDa.setAttribute("aria-pressed", String(state.lang === "da"));
    ui.langEn.setAttribute("aria-pressed", String(state.lang === "en"));
    ui.close.setAttribute("aria-label", tx.close);
    ui.log.setAttribute("aria-label", tx.log);
    ui.welcome.firstChild.textContent = tx.welcome;
    ui.inputLabel.textContent = tx.inputLabel;
    ui.input.setAttribute("placeholder", tx.placeholder);
    ui.hint.textContent = tx.hint;
    ui.send.textContent = tx.send;
    updateCounter();
    updateUnread();
    updateNotice();
    updateStatusbar();
    if (ui.typing.textContent) ui.typing.textContent = tx.typing;
    for (const el of ui.log.querySelectorAll(".item")) relabel(el);
  }

  // ---------------------------------------------------------------- messages

  function authorKind(author) {
    return ["visitor", "counsellor", "bot", "system"].includes(author) ? author : "system";
  }

  /** Build one list item: a meta line (who · time) and the text bubble. */
  function buildItem(data) {
    const kind = data.localNotice ? "system" : authorKind(data.author);
    const el = h("div", { class: `item ${kind}` });
    const meta = h("div", { class: "meta" });
    const bubble = h("div", { class: "bubble" });
    el.append(meta, bubble);
    bubbleData.set(el, data);
    relabel(el);
    if (!data.localNotice) appendLinkified(bubble, String(data.text ?? ""));
    return el;
  }

  /** (Re)write the language-dependent parts of an item. */
  function relabel(el) {
    const data = bubbleData.get(el);
    if (!data) return;
    const tx = t();
    const meta = el.querySelector(".meta");
    if (data.localNotice) {
      el.querySelector(".bubble").textContent = data.localNotice.map((key) => tx[key]).join(" ");
      meta.textContent = formatTime(toDate(data.at));
      return;
    }
    const who = { visitor: tx.you, counsellor: data.author_name || tx.counsellor, bot: tx.bot }[data.author];
    let tail = formatTime(toDate(data.at));
    if (data.pending) tail = tx.sending;
    if (data.failed) tail = tx.notSent; // the reason is in the error line below the input
    meta.textContent = who ? `${who} · ${tail}` : tail;
  }

  /** Insert in server order; pending bubbles always stay at the bottom. */
  function insertSorted(el, sortId) {
    el.dataset.sortId = String(sortId);
    let before = null;
    for (const child of ui.log.children) {
      if (child.classList.contains("pending") || Number(child.dataset.sortId) > sortId) {
        before = child;
        break;
      }
    }
    const stick = isNearBottom();
    ui.log.insertBefore(el, before);
    if (stick) scrollToBottom();
  }

  function renderMessage(msg) {
    if (!msg || msg.id === null || msg.id === undefined) return;
    const id = Number(msg.id);
    noteSeen(id);
    if (msg.author === "counsellor") setCounsellorJoined(true);
    if (state.rendered.has(id)) return;
    if (msg.author === "visitor" && msg.client_id && state.pending.has(msg.client_id)) {
      confirmPending(msg.client_id, msg);
      return;
    }
    const el = buildItem({ ...msg });
    state.rendered.set(id, el);
    insertSorted(el, id);
    if (!state.isOpen && msg.author !== "visitor" && id > state.readUpTo) {
      state.unread += 1;
      updateUnread();
    }
  }

  function noteSeen(id) {
    if (!Number.isFinite(id) || id <= state.lastSeenId) return;
    state.lastSeenId = id;
    store.set("last_seen_id", id);
    store.set("last_active", Date.now());
  }

  function addPendingBubble(item) {
    if (state.pending.has(item.client_id)) return;
    const el = buildItem({ author: "visitor", text: item.text, at: item.at, pending: true });
    el.classList.add("pending");
    state.pending.set(item.client_id, el);
    ui.log.append(el);
    scrollToBottom();
  }

  /** The server has the message: turn the pending bubble into a normal one. */
  function confirmPending(clientId, msg) {
    const el = state.pending.get(clientId);
    state.pending.delete(clientId);
    outbox.remove(clientId);
    const id = Number(msg.id);
    if (!el || state.rendered.has(id)) {
      if (el) el.remove();
      return;
    }
    const data = bubbleData.get(el);
    data.pending = false;
    if (msg.at) data.at = msg.at;
    el.classList.remove("pending");
    relabel(el);
    el.remove();
    state.rendered.set(id, el);
    insertSorted(el, id);
  }

  function markFailed(clientId) {
    const el = state.pending.get(clientId);
    state.pending.delete(clientId);
    outbox.remove(clientId);
    if (!el) return;
    bubbleData.get(el).failed = true;
    el.classList.remove("pending");
    el.classList.add("failed");
    relabel(el);
    scrollToBottom();
  }

  /** A notice of our own (e.g. "conversation ended"), kept after the last server message. */
  function addLocalNotice(keys) {
    const el = buildItem({ localNotice: keys, at: new Date().toISOString() });
    insertSorted(el, state.lastSeenId + 0.5);
  }

  function isNearBottom() {
    const log = ui.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 60;
  }

  function scrollToBottom() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  // ---------------------------------------------------------------- status lines

  function setConnection(value) {
    state.connection = value;
    updateStatusbar();
  }

  function setCounsellorJoined(value) {
    if (state.counsellorJoined === value) return;
    state.counsellorJoined = value;
    updateStatusbar();
  }

  function updateStatusbar() {
    const tx = t();
    const conn = { connecting: tx.connecting, offline: tx.offline, unavailable: tx.unavailable }[state.connection];
    ui.connLine.textContent = conn || "";
    ui.connLine.hidden = !conn;

    const q = state.queue;
    const position = q && Number(q.position);
    const showQueue = !state.counsellorJoined && position > 0;
    const waitS = q && Number(q.estimated_wait_s);
    const minutes = waitS > 0 ? Math.max(1, Math.round(waitS / 60)) : 0;
    ui.queueLine.textContent = showQueue ? tx.queue(position, minutes) : "";
    ui.queueLine.hidden = !showQueue;
    ui.statusbar.hidden = ui.connLine.hidden && ui.queueLine.hidden;
  }

  function updateNotice() {
    const hours = state.status && state.status.opening_hours;
    const closed = Boolean(hours) && hours.open === false;
    ui.notice.hidden = !closed;
    if (!closed) return;
    const preferred = state.lang === "da" ? hours.text_da : hours.text_en;
    const text = String(preferred || hours.text_en || hours.text_da || "").trim().replace(/\.$/, "");
    ui.notice.textContent = t().closedNow(text || "–");
  }

  function updateCounter() {
    const n = ui.input.value.length;
    ui.counter.textContent = t().counter(n);
    ui.counter.classList.toggle("over", n > MAX_LEN);
  }

  function updateUnread() {
    const n = state.isOpen ? 0 : state.unread;
    ui.badge.hidden = n === 0;
    ui.badge.textContent = n > 99 ? "99+" : String(n);
    const label = n ? `${t().launcher} – ${t().unread(n)}` : t().launcher;
    ui.launcher.setAttribute("aria-label", label);
  }

  function showError(text) {
    ui.error.textContent = text || "";
  }

  // ---------------------------------------------------------------- socket.io loading

  /** Resolve to a socket.io v4 client, loading ours from the server if needed. */
  function loadIo() {
    const existing = window.io;
    if (typeof existing === "function" && existing.Socket && typeof existing.Socket.prototype.timeout === "function") {
      return Promise.resolve(existing); // a v4 client the page already has
    }
    if (state.ioPromise) return state.ioPromise;
    state.ioPromise = new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = base + "/vendor/socket.io/socket.io.min.js";
      tag.async = true;
      tag.addEventListener("load", () => {
        const io = window.io;
        // Give the page back an older client it may have had.
        if (existing !== undefined) window.io = existing;
        if (typeof io === "function") resolve(io);
        else reject(new Error("socket.io client did not load"));
      });
      tag.addEventListener("error", () => {
        tag.remove();
        reject(new Error("socket.io client did not load"));
      });
      document.head.appendChild(tag);
    }).catch((err) => {
      state.ioPromise = null; // let a later open() try again
      throw err;
    });
    return state.ioPromise;
  }

  function ensureConnected() {
    if (state.socket || state.loading) return;
    state.loading = true;
    setConnection("connecting");
    loadIo()
      .then((io) => {
        state.socket = createSocket(io);
      })
      .catch(() => setConnection("unavailable"))
      .finally(() => {
        state.loading = false;
      });
  }

  function authPayload() {
    const auth = { last_seen_id: state.lastSeenId, language: state.lang };
    const token = store.get("visitor_token");
    if (token) auth.visitor_token = token;
    return auth;
  }

  function createSocket(io) {
    const socket = io(srcUrl.origin + "/chat", {
      path: prefix + "/socket.io",
      transports: ["websocket", "polling"],
      // A function, so every reconnect sends the current last_seen_id and language.
      auth: (cb) => cb(authPayload()),
    });
    socket.on("connect", onConnect);
    socket.on("disconnect", onDisconnect);
    socket.on("connect_error", onConnectError);
    socket.on("session", onSession);
    socket.on("message", renderMessage);
    socket.on("history", (payload) => {
      const list = payload && Array.isArray(payload.messages) ? payload.messages : [];
      list.forEach(renderMessage);
    });
    socket.on("queue", (payload) => {
      state.queue = payload || null;
      updateStatusbar();
    });
    socket.on("typing", onRemoteTyping);
    socket.on("status", (payload) => {
      state.status = payload || null;
      updateNotice();
    });
    socket.on("conversation.closed", onConversationClosed);
    return socket;
  }

  // ---------------------------------------------------------------- socket events

  function onConnect() {
    state.everConnected = true;
    state.refusals = 0;
    setConnection("online");
    // Acks of the old connection will never come; resend from the head.
    state.inFlight = 0;
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    state.retryDelay = RETRY_MIN_MS;
    pump();
  }

  function onDisconnect(reason) {
    showRemoteTyping(false);
    if (reason === "io client disconnect") return;
    setConnection("offline");
    // The server closed us on purpose; socket.io will not reconnect by itself.
    if (reason === "io server disconnect") setTimeout(() => state.socket && state.socket.connect(), 5000);
  }

  function onConnectError(err) {
    const socket = state.socket;
    setConnection(state.everConnected ? "offline" : "connecting");
    if (!socket || socket.active) return; // transport problem: socket.io retries itself
    // Refused by the server ({code, message} in err.data). A refusal about the
    // token, or repeated refusals, mean a stale visitor_token: start afresh.
    const code = String((err && err.data && err.data.code) || "");
    state.refusals += 1;
    if (state.refusals >= 3 || /token|visitor/i.test(code)) store.set("visitor_token", null);
    const delay = Math.min(60000, 2000 * 2 ** state.refusals);
    setTimeout(() => socket.connect(), delay);
  }

  function onSession(payload) {
    if (!payload) return;
    if (typeof payload.visitor_token === "string" && payload.visitor_token) {
      store.set("visitor_token", payload.visitor_token);
    }
    if (payload.conversation_id !== undefined) {
      if (state.conversationId !== null && payload.conversation_id !== state.conversationId) {
        setCounsellorJoined(false); // a new conversation: back to the queue/bot
      }
      state.conversationId = payload.conversation_id;
    }
    store.set("last_active", Date.now());
  }

  function onRemoteTyping(payload) {
    if (!payload || payload.author === "visitor") return; // our own echo from another tab
    if (payload.author === "counsellor" && payload.typing) setCounsellorJoined(true);
    showRemoteTyping(Boolean(payload.typing));
  }

  function showRemoteTyping(on) {
    clearTimeout(state.remoteTypingTimer);
    ui.typing.textContent = on ? t().typing : "";
    if (on) state.remoteTypingTimer = setTimeout(() => showRemoteTyping(false), REMOTE_TYPING_TTL_MS);
  }

  function onConversationClosed() {
    setCounsellorJoined(false);
    state.queue = null;
    updateStatusbar();
    showRemoteTyping(false);
    // The next message simply continues; the server decides whether that
    // reopens or starts a new conversation.
    addLocalNotice(["ended", "startAgain"]);
    if (!state.isOpen) {
      state.unread += 1;
      updateUnread();
    }
  }

  // ---------------------------------------------------------------- sending

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (let i = 0; i < 16; i += 1) bytes[i] = Math.floor(Math.random() * 256);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function submit() {
    const text = ui.input.value.trim();
    if (!text) return;
    if (ui.input.value.length > MAX_LEN) {
      showError(t().tooLong);
      return;
    }
    showError("");
    const item = { client_id: newClientId(), text, at: new Date().toISOString() };
    outbox.add(item);
    addPendingBubble(item);
    ui.input.value = "";
    updateCounter();
    setLocalTyping(false);
    store.set("last_active", Date.now());
    ensureConnected();
    pump();
  }

  /**
   * Send the outbox one message at a time, oldest first. One at a time keeps the
   * order the visitor wrote in even if the server handles events concurrently.
   */
  function pump() {
    const socket = state.socket;
    if (!socket || !socket.connected || state.inFlight || state.retryTimer) return;
    const item = outbox.list()[0];
    if (!item) return;
    if (!state.pending.has(item.client_id)) addPendingBubble(item); // written in another tab
    const attempt = ++state.attempt;
    state.inFlight = attempt;
    socket.timeout(ACK_TIMEOUT_MS).emit("message", { client_id: item.client_id, text: item.text }, (err, ack) => {
      if (state.inFlight !== attempt) return; // superseded by a reconnect
      state.inFlight = 0;
      if (err) return scheduleRetry(); // timeout or disconnect: same client_id again
      if (ack && ack.id !== undefined && ack.id !== null) return onAcked(item, ack);
      onErrorAck(item, (ack && ack.error) || {});
    });
  }

  function onAcked(item, ack) {
    state.retryDelay = RETRY_MIN_MS;
    state.errorAcks.delete(item.client_id);
    if (state.pending.has(item.client_id)) {
      confirmPending(item.client_id, { id: ack.id, at: ack.at || item.at });
    } else {
      outbox.remove(item.client_id);
    }
    pump();
  }

  function onErrorAck(item, error) {
    const count = (state.errorAcks.get(item.client_id) || 0) + 1;
    state.errorAcks.set(item.client_id, count);
    if (!PERMANENT_ERRORS.has(error.code) && count < MAX_ERROR_ACKS) {
      scheduleRetry();
      return;
    }
    const text = error.code === "too_long" ? t().tooLong : error.message || t().sendFailed;
    markFailed(item.client_id);
    showError(text);
    // Give the text back so the visitor can shorten or resend it.
    if (!ui.input.value) {
      ui.input.value = item.text;
      updateCounter();
    }
    state.errorAcks.delete(item.client_id);
    pump();
  }

  function scheduleRetry() {
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      state.retryTimer = null;
      pump();
    }, state.retryDelay);
    state.retryDelay = Math.min(state.retryDelay * 2, RETRY_MAX_MS);
  }

  // ---------------------------------------------------------------- typing

  function setLocalTyping(on) {
    clearTimeout(state.typingTimer);
    if (state.localTyping === on) return;
    state.localTyping = on;
    const socket = state.socket;
    // Only while connected: a stale typing flag is not worth buffering for a
    // reconnect. (Not volatile: that can drop the "false" right after a "true".)
    if (socket && socket.connected) socket.emit("typing", { typing: on });
  }

  function onInput() {
    updateCounter();
    if (ui.input.value.length <= MAX_LEN) showError("");
    if (!ui.input.value) {
      setLocalTyping(false);
      return;
    }
    setLocalTyping(true);
    state.typingTimer = setTimeout(() => setLocalTyping(false), TYPING_IDLE_MS);
  }

  // ---------------------------------------------------------------- open / close / language

  function open() {
    if (state.isOpen) return;
    state.isOpen = true;
    ui.panel.hidden = false;
    ui.root.classList.add("open");
    ui.launcher.setAttribute("aria-expanded", "true");
    state.unread = 0;
    state.readUpTo = state.lastSeenId;
    updateUnread();
    ensureConnected();
    scrollToBottom();
    ui.input.focus();
  }

  function close() {
    if (!state.isOpen) return;
    const hadFocus = ui.host.shadowRoot.activeElement !== null;
    state.isOpen = false;
    ui.panel.hidden = true;
    ui.root.classList.remove("open");
    ui.launcher.setAttribute("aria-expanded", "false");
    state.readUpTo = state.lastSeenId;
    setLocalTyping(false);
    updateUnread();
    if (hadFocus) ui.launcher.focus(); // don't steal focus when closed through the API
  }

  function setLanguage(lang) {
    const next = normaliseLanguage(lang);
    if (!next) return;
    store.setJSON("language", { page: pageLanguage, chosen: next });
    if (next === state.lang) return;
    state.lang = next;
    refreshTexts();
    // The auth function sends the new language on the next reconnect; this
    // optional event lets the server switch its bot texts right away.
    if (state.socket && state.socket.connected) state.socket.emit("language", { language: next });
  }

  // ---------------------------------------------------------------- wiring

  function wireEvents() {
    ui.launcher.addEventListener("click", () => (state.isOpen ? close() : open()));
    ui.close.addEventListener("click", close);
    ui.langDa.addEventListener("click", () => setLanguage("da"));
    ui.langEn.addEventListener("click", () => setLanguage("en"));
    ui.panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !e.isComposing) {
        e.preventDefault();
        close();
      }
    });
    ui.input.addEventListener("keydown", (e) => {
      // isComposing: Enter confirms an IME composition, it must not send.
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        submit();
      }
    });
    ui.input.addEventListener("input", onInput);
    ui.input.addEventListener("blur", () => setLocalTyping(false));
    ui.form.addEventListener("submit", (e) => {
      e.preventDefault();
      submit();
    });
  }

  function start() {
    refreshTexts();
    wireEvents();
    document.body.appendChild(ui.host);
    outbox.list().forEach(addPendingBubble);
    // Connect at once only for someone with a conversation going; a plain page
    // view opens no socket until the visitor opens the chat.
    const lastActive = Number(store.get("last_active")) || 0;
    const recent = store.get("visitor_token") && Date.now() - lastActive < RECENT_ACTIVITY_MS;
    if (outbox.list().length || recent) ensureConnected();
  }

  window.eGuidanceWidget = Object.freeze({ open, close, setLanguage });

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
})();
