const { getService } = require('../services/catalog');

const TIME_ZONE = 'Europe/Berlin';

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

function formatPrice(cents) {
  return `€${(cents / 100).toFixed(2)}`;
}

function formatSlot(startsAt) {
  return dateFormat.format(new Date(startsAt));
}

const STATUS_LABELS = {
  pending: '⏳ awaiting payment',
  confirmed: '✅ confirmed',
  cancelled: '❌ cancelled',
};

function formatAppointment(appointment) {
  const service = getService(appointment.service);
  const title = service ? service.title : appointment.service;
  return [
    `#${appointment.id} ${title}`,
    formatSlot(appointment.starts_at),
    `${formatPrice(appointment.price_cents)} · ${STATUS_LABELS[appointment.status] || appointment.status}`,
  ].join('\n');
}

module.exports = { formatPrice, formatSlot, formatAppointment };
