/*
 * Urgent arrivals: a sound (once the page had a gesture), a desktop notification
 * (with permission) and the banner above the work area.
 */
import { $, _, h, localReasons, reasonsOf } from "./core.js";

const local = { audio: null, open: () => {}, shown: null };

export function init(open) {
  local.open = open;
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  const button = $("btn-notify");
  if (!("Notification" in window) || Notification.permission !== "default") return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    unlockAudio();
    await Notification.requestPermission();
    button.hidden = true;
  });
}

function unlockAudio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (local.audio || !Ctx) return;
  local.audio = new Ctx();
}

export function beep() {
  const ctx = local.audio;
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

/** The alert's reasons in the interface's language (Danish when the server sent it, or
 * when the inbox has seen these reasons in Danish on the queue). */
function alertReasons(p) {
  return Array.isArray(p.reasons_da) ? reasonsOf(p) : localReasons(p.reasons);
}

export function notify(p) {
  local.shown = p;
  const reasons = showBanner(p);
  if ("Notification" in window && Notification.permission === "granted") {
    try {
      const n = new Notification(_("Urgent conversation"), { body: reasons, tag: `urgent-${p.conversation_id}` });
      n.onclick = () => {
        window.focus();
        local.open(p.conversation_id);
      };
    } catch (_err) { /* notifications unavailable */ }
  }
}

/** Shows the banner again once the queue has brought the alert's reasons in Danish. */
export function refresh() {
  if (local.shown && !$("alert-banner").hidden) showBanner(local.shown);
}

function showBanner(p) {
  const reasons = alertReasons(p).join(" · ");
  const banner = $("alert-banner");
  banner.replaceChildren(
    h("span", { text: `${_("URGENT")}: ${reasons || _("A conversation needs help now.")}` }), " ",
    h("button", { type: "button", class: "btn btn-small", "data-id": p.conversation_id, text: _("Open") }),
  );
  banner.hidden = false;
  return reasons;
}
