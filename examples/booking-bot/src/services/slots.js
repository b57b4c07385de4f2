const fs = require('fs');
const path = require('path');

const SLOTS_FILE = path.join(__dirname, '..', '..', 'data', 'slots.json');

function load() {
  return JSON.parse(fs.readFileSync(SLOTS_FILE, 'utf8'));
}

function save(state) {
  fs.writeFileSync(SLOTS_FILE, JSON.stringify(state, null, 2));
}

function toKey(startsAt) {
  return new Date(startsAt).toISOString();
}

function listFreeSlots(limit = 8) {
  const state = load();
  const now = Date.now();
  return state.slots
    .filter((slot) => !state.reserved[slot] && new Date(slot).getTime() > now)
    .slice(0, limit);
}

function isFree(startsAt) {
  const state = load();
  const key = toKey(startsAt);
  return state.slots.includes(key) && !state.reserved[key];
}

function reserve(startsAt, appointmentId) {
  const state = load();
  state.reserved[toKey(startsAt)] = appointmentId;
  save(state);
}

function release(startsAt) {
  const state = load();
  delete state.reserved[toKey(startsAt)];
  save(state);
}

module.exports = { listFreeSlots, isFree, reserve, release };
