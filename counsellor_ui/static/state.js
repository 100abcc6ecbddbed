/*
 * The inbox's shared state: who is signed in, the lists, the open conversation.
 * One object, imported by the modules that read or change it.
 */
export const state = {
  me: null,
  socket: null,
  everConnected: false,
  connection: "none",
  queue: [],
  mine: [],
  team: [],
  followUps: new Map(), // referral id → follow-up reminder
  current: null,
  openSeq: 0,
  alerts: new Set(),
  reasons: new Map(), // conversation id → reasons from a triage alert
  unread: new Set(),
  filters: { show: "all", urgent: false, channel: "", language: "" },
};

export function isMine(conv) {
  return Boolean(state.me && conv && conv.assignee_id !== null && conv.assignee_id === state.me.id);
}
