/*
 * Canned replies (config/canned_replies.toml) in the conversation's language, not the
 * interface's: a Danish-speaking counsellor answering an English chat gets the English
 * texts. The language select shows the other language's texts on demand.
 * Placeholders: {name} the contact, {counsellor} the counsellor, {service} the
 * referral service shown in the referral panel.
 */
import { $, _, api, fmt, label, LANGUAGE, options } from "./core.js";
import { state } from "./state.js";
import { serviceName } from "./referral.js";

const LANGUAGES = ["da", "en"];
const local = { items: [], seq: 0 };

export function init() {
  $("canned-language").addEventListener("change", (event) => load(event.target.value));
  $("canned-insert").addEventListener("click", insert);
  fillLanguages(LANGUAGE);
}

/** A conversation was opened: its language's replies. */
export function open(conv) {
  const language = LANGUAGES.includes(conv && conv.language) ? conv.language : LANGUAGE;
  fillLanguages(language);
  return load(language);
}

function fillLanguages(conversationLanguage) {
  options($("canned-language"), LANGUAGES.map((code) => [code, code === conversationLanguage
    ? fmt(_("{language} (the conversation's)"), { language: label("language", code) })
    : label("language", code)]), conversationLanguage);
}

async function load(language) {
  const seq = ++local.seq;
  const select = $("canned-select");
  try {
    const data = await api("GET", `/api/canned-replies?language=${encodeURIComponent(language)}`);
    if (seq !== local.seq) return;
    local.items = data.items || [];
    select.setAttribute("lang", language);
    select.replaceChildren(new Option(_("Choose…"), ""), ...local.items.map((r) => {
      const option = new Option(r.title, r.id);
      if (r.language && r.language !== language) option.lang = r.language;
      return option;
    }));
  } catch (_err) {
    if (seq === local.seq) select.replaceChildren(new Option(_("Choose…"), ""));
  }
}

function insert() {
  const reply = local.items.find((r) => r.id === $("canned-select").value);
  if (!reply || !state.current) return;
  const contact = state.current.contact || {};
  const text = fmt(reply.text, {
    name: contact.name || (reply.language === "en" ? "you" : "dig"),
    counsellor: (state.me && state.me.name) || "",
    service: serviceName() || (reply.language === "en" ? "the guidance service" : "vejledningen"),
  });
  const input = $("composer-text");
  const start = input.selectionStart ?? input.value.length;
  input.setRangeText(text, start, input.selectionEnd ?? start, "end");
  input.focus();
  input.dispatchEvent(new Event("input", { bubbles: true })); // the composer's counter and typing
}
