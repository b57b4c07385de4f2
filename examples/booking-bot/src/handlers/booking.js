const { Markup } = require('telegraf');
const db = require('../db');
const calendar = require('../services/calendar');
const slots = require('../services/slots');
const { getService, listServices } = require('../services/catalog');
const { formatPrice, formatSlot, formatAppointment } = require('../utils/formatting');

const CANCELLATION_WINDOW_HOURS = 24;

async function findOrCreateUser(from) {
  const existing = await db('users').where({ telegram_id: from.id }).first();
  if (existing) {
    return existing;
  }
  const [user] = await db('users')
    .insert({ telegram_id: from.id, first_name: from.first_name, username: from.username })
    .returning('*');
  return user;
}

async function startBooking(ctx) {
  ctx.session.booking = {};
  const buttons = listServices().map((service) => [
    Markup.button.callback(
      `${service.title} · ${formatPrice(service.priceCents)}`,
      `service:${service.key}`,
    ),
  ]);
  await ctx.reply('Which service would you like to book?', Markup.inlineKeyboard(buttons));
}

async function chooseService(ctx) {
  const key = ctx.match[1];
  const service = getService(key);
  if (!service) {
    return ctx.answerCbQuery('This service is no longer available.');
  }

  ctx.session.booking = { service: key };
  const free = slots.listFreeSlots();
  await ctx.answerCbQuery();

  if (free.length === 0) {
    return ctx.editMessageText('Sorry, we are fully booked this week. Please try again later.');
  }

  const buttons = free.map((slot) => [Markup.button.callback(formatSlot(slot), `slot:${slot}`)]);
  return ctx.editMessageText(
    `${service.title}: pick a time`,
    Markup.inlineKeyboard(buttons),
  );
}

async function chooseSlot(ctx) {
  const startsAt = ctx.match[1];
  const { service: serviceKey } = ctx.session.booking || {};
  const service = getService(serviceKey);

  if (!service) {
    await ctx.answerCbQuery();
    return ctx.reply('Your booking has expired. Please start again with /book.');
  }
  if (!slots.isFree(startsAt)) {
    return ctx.answerCbQuery('Somebody was faster, please pick another time.');
  }

  const user = await findOrCreateUser(ctx.from);
  const [appointment] = await db('appointments')
    .insert({
      user_id: user.id,
      service: serviceKey,
      starts_at: startsAt,
      status: 'pending',
      price_cents: service.priceCents,
    })
    .returning('*');
  slots.reserve(startsAt, appointment.id);

  const event = await calendar.createEvent({
    title: `${service.title} – ${ctx.from.first_name}`,
    startsAt,
    durationMinutes: service.durationMinutes,
    description: `Booked via Telegram (@${ctx.from.username || ctx.from.id})`,
  });
  await db('appointments').where({ id: appointment.id }).update({ calendar_event_id: event.id });

  ctx.session.booking = null;
  await ctx.answerCbQuery('Booked!');
  return ctx.reply(
    `Your appointment is reserved:\n\n${formatAppointment(appointment)}\n\nPlease pay within 30 minutes to confirm it.`,
    Markup.inlineKeyboard([Markup.button.callback('💳 Pay now', `pay:${appointment.id}`)]),
  );
}

function hoursUntil(date) {
  return (new Date(date).getTime() - Date.now()) / (60 * 60 * 1000);
}

async function cancelBooking(ctx) {
  const user = await db('users').where({ telegram_id: ctx.from.id }).first();
  if (!user) {
    return ctx.reply("You don't have any bookings yet.");
  }

  const appointment = await db('appointments')
    .where({ user_id: user.id })
    .whereIn('status', ['pending', 'confirmed'])
    .where('starts_at', '>', db.fn.now())
    .orderBy('starts_at', 'asc')
    .first();
  if (!appointment) {
    return ctx.reply('You have nothing to cancel.');
  }

  if (appointment.status === 'confirmed' && hoursUntil(appointment.starts_at) < CANCELLATION_WINDOW_HOURS) {
    return ctx.reply('Paid appointments can be cancelled up to 24 hours in advance. Please call the salon.');
  }

  await db('appointments')
    .where({ id: appointment.id })
    .update({ status: 'cancelled', updated_at: db.fn.now() });
  slots.release(appointment.starts_at);

  if (appointment.calendar_event_id) {
    try {
      await calendar.deleteEvent(appointment.calendar_event_id);
    } catch (err) {
      // calendar is best effort
    }
  }

  return ctx.reply(`Cancelled:\n\n${formatAppointment({ ...appointment, status: 'cancelled' })}`);
}

module.exports = { startBooking, chooseService, chooseSlot, cancelBooking };
