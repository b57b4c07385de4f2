const { Telegraf, Markup, session } = require('telegraf');
const booking = require('./handlers/booking');
const payments = require('./handlers/payments');
const db = require('./db');
const { formatAppointment } = require('./utils/formatting');

const HELP_TEXT = [
  'I can book you an appointment at Studio Nord.',
  '',
  '/book - choose a service and a time',
  '/mybookings - see your upcoming appointments',
  '/cancel - cancel your next appointment',
].join('\n');

const mainKeyboard = Markup.keyboard([['📅 Book appointment'], ['🗓 My bookings']]).resize();

function createBot() {
  const bot = new Telegraf(process.env.BOT_TOKEN);

  bot.use(session({ defaultSession: () => ({}) }));

  bot.command('help', (ctx) => ctx.reply(HELP_TEXT, mainKeyboard));

  bot.command('book', booking.startBooking);
  bot.hears('📅 Book appointment', booking.startBooking);
  bot.action(/^service:(\w+)$/, booking.chooseService);
  bot.action(/^slot:(.+)$/, booking.chooseSlot);
  bot.action(/^pay:(\d+)$/, payments.sendCheckoutLink);

  bot.command('cancel', booking.cancelBooking);

  const showBookings = async (ctx) => {
    const rows = await db('appointments')
      .join('users', 'users.id', 'appointments.user_id')
      .where('users.telegram_id', ctx.from.id)
      .whereIn('appointments.status', ['pending', 'confirmed'])
      .where('appointments.starts_at', '>', db.fn.now())
      .orderBy('appointments.starts_at', 'asc')
      .select('appointments.*');

    if (rows.length === 0) {
      return ctx.reply('You have no upcoming appointments. Tap /book to make one.');
    }
    return ctx.reply(rows.map(formatAppointment).join('\n\n'));
  };
  bot.command('mybookings', showBookings);
  bot.hears('🗓 My bookings', showBookings);

  bot.command('help', (ctx) =>
    ctx.reply(`${HELP_TEXT}\n\nQuestions? Call us at the salon during opening hours.`),
  );

  return bot;
}

module.exports = { createBot };
