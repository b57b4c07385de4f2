const axios = require('axios');

const BASE_URL = process.env.CALENDAR_API_URL;

function authHeaders() {
  return { Authorization: `Bearer ${process.env.CALENDAR_API_KEY}` };
}

async function createEvent({ title, startsAt, durationMinutes, description }) {
  const start = new Date(startsAt);
  const end = new Date(start.getTime() + durationMinutes * 60 * 1000);

  const response = await axios.post(
    `${BASE_URL}/events`,
    {
      summary: title,
      description,
      start: start.toISOString(),
      end: end.toISOString(),
    },
    { headers: authHeaders() },
  );
  return response.data;
}

async function deleteEvent(eventId) {
  await axios.delete(`${BASE_URL}/events/${encodeURIComponent(eventId)}`, {
    headers: authHeaders(),
  });
}

module.exports = { createEvent, deleteEvent };
