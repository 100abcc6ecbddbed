/*
 * User administration on the supervisors' dashboard: the accounts table, and for
 * admins creating, editing (name, role, languages, channels, capacity) and
 * deactivating accounts. The server enforces the roles; this only hides controls.
 */
import { $, _, api, CHANNELS, errorText, fmt, h, label } from "./core.js";

const local = { me: null, users: [], editing: null, refresh: async () => {} };
const isAdmin = () => Boolean(local.me && local.me.role === "admin");

export function init(me, refresh) {
  local.me = me;
  local.refresh = refresh;
  $("user-form").hidden = !isAdmin();
  $("user-form").addEventListener("submit", createUser);
  $("user-edit-form").addEventListener("submit", saveUser);
  $("user-edit-cancel").addEventListener("click", closeEdit);
  $("dash-users").addEventListener("click", onTableClick);
  $("edit-channels").replaceChildren($("edit-channels").querySelector("legend"), ...CHANNELS.map((c) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: "edit-channel", value: c, id: `edit-channel-${c}` }), ` ${label("channel", c)}`)));
}

function loadText(u) {
  return fmt(_("{n} of {max}"), { n: u.handling, max: u.capacity });
}

function servesText(u) {
  const languages = (u.languages || []).map((l) => label("language", l)).join(", ");
  const channels = (u.channels || []).length ? u.channels.map((c) => label("channel", c)).join(", ") : _("all channels");
  return `${languages || "–"} · ${channels}`;
}

export function renderUsers(users) {
  local.users = users;
  const admin = isAdmin();
  const headers = [_("Name"), _("E-mail"), _("Role"), _("Presence"), _("Conversations"), _("Serves"), admin ? _("Actions") : ""];
  const body = users.map((u) => h("tr", { class: u.active ? "" : "inactive", "data-user": u.id },
    h("th", { scope: "row", text: u.name }),
    h("td", { text: u.email }),
    h("td", { text: label("role", u.role) }),
    h("td", { text: u.active ? label("presence", u.presence) : _("Deactivated") }),
    h("td", { class: "user-load", text: loadText(u) }),
    h("td", { class: "user-serves", text: servesText(u) }),
    h("td", { class: "user-actions" },
      admin && u.active ? h("button", { type: "button", class: "btn btn-small", "data-edit": u.id, "aria-label": fmt(_("Edit {name}"), { name: u.name }), text: _("Edit") }) : null,
      admin && u.active && u.id !== local.me.id
        ? h("button", { type: "button", class: "btn btn-small btn-danger", "data-deactivate": u.id, "aria-label": fmt(_("Deactivate {name}"), { name: u.name }), text: _("Deactivate") })
        : null)));
  $("dash-users").replaceChildren(h("table", { class: "figures users" },
    h("caption", { class: "sr-only", text: _("Counsellors") }),
    h("thead", {}, h("tr", {}, ...headers.map((x) => h("th", { scope: "col" }, x ? x : h("span", { class: "sr-only", text: _("Actions") }))))),
    h("tbody", {}, ...body)));
}

function onTableClick(event) {
  const edit = event.target.closest("button[data-edit]");
  if (edit) openEdit(Number(edit.dataset.edit));
  const off = event.target.closest("button[data-deactivate]");
  if (off) deactivate(Number(off.dataset.deactivate));
}

function openEdit(id) {
  const user = local.users.find((u) => u.id === id);
  if (!user) return;
  local.editing = id;
  $("user-edit-title").textContent = fmt(_("Edit {name}"), { name: user.name });
  $("edit-name").value = user.name || "";
  $("edit-role").value = user.role;
  $("edit-role").disabled = id === local.me.id; // an admin keeps their own role
  $("edit-capacity").value = String(user.capacity);
  for (const box of document.querySelectorAll("input[name=edit-language]")) box.checked = (user.languages || []).includes(box.value);
  for (const box of document.querySelectorAll("input[name=edit-channel]")) box.checked = (user.channels || []).includes(box.value);
  $("user-edit-msg").textContent = "";
  $("user-edit-form").hidden = false;
  $("edit-name").focus();
}

function closeEdit() {
  const id = local.editing;
  local.editing = null;
  $("user-edit-form").hidden = true;
  const button = id && document.querySelector(`#dash-users button[data-edit="${id}"]`);
  if (button) button.focus();
}

const ticked = (name) => [...document.querySelectorAll(`input[name=${name}]:checked`)].map((box) => box.value);

async function saveUser(event) {
  event.preventDefault();
  const msg = $("user-edit-msg");
  const capacity = Number($("edit-capacity").value);
  const languages = ticked("edit-language");
  if (!$("edit-name").value.trim()) {
    msg.textContent = _("Give a name.");
    $("edit-name").focus();
    return;
  }
  if (!Number.isInteger(capacity) || capacity < 0 || capacity > 50 || $("edit-capacity").value === "") {
    msg.textContent = _("Capacity is a whole number from 0 to 50.");
    $("edit-capacity").focus();
    return;
  }
  if (!languages.length) {
    msg.textContent = _("Tick at least one language.");
    $("edit-language-da").focus();
    return;
  }
  const body = { name: $("edit-name").value.trim(), capacity, languages, channels: ticked("edit-channel") };
  if (!$("edit-role").disabled) body.role = $("edit-role").value;
  try {
    const saved = await api("PATCH", `/api/users/${local.editing}`, body);
    msg.textContent = fmt(_("Saved: {name}."), { name: saved.name });
    await local.refresh();
  } catch (err) {
    msg.textContent = errorText(err);
  }
}

async function createUser(event) {
  event.preventDefault();
  const msg = $("user-msg");
  try {
    const made = await api("POST", "/api/users", { email: $("user-email").value.trim(), name: $("user-name").value.trim() || null, role: $("user-role").value });
    msg.textContent = fmt(_("Account created. Password (shown once): {password}"), { password: made.password || "" });
    $("user-email").value = "";
    $("user-name").value = "";
    await local.refresh();
  } catch (err) {
    msg.textContent = errorText(err);
  }
}

async function deactivate(id) {
  if (!window.confirm(_("Deactivate this account?"))) return;
  try {
    await api("POST", `/api/users/${id}/deactivate`);
    if (local.editing === id) closeEdit();
    await local.refresh();
  } catch (err) {
    $("user-msg").textContent = errorText(err);
  }
}
