const axios = require('axios');
const { Markup } = require('telegraf');
const db = require('../db');
const { formatPrice } = require('../utils/formatting');

const PROVIDER_URL = 'https://api.payments.example.com/v1';

// Open checkouts by appointment, so a second tap on "Pay" reuses the same link.
const pendingCheckouts = new Map();

async function sendCheckoutLink(ctx) {
  const appointmentId = Number(ctx.match[1]);
  const appointment = await db('appointments').where({ id: appointmentId }).first();

  if (!appointment || appointment.status !== 'pending') {
    return ctx.answerCbQuery('This booking cannot be paid anymore.');
  }

  const open = pendingCheckouts.get(appointment.id);
  if (open) {
    await ctx.answerCbQuery();
    return ctx.reply('You already have a payment link:', Markup.inlineKeyboard([Markup.button.url('Pay securely', open.url)]));
  }

  const { data: checkout } = await axios.post(
    `${PROVIDER_URL}/checkouts`,
    {
      amount: appointment.price_cents,
      currency: 'EUR',
      reference: `appointment-${appointment.id}`,
      callback_url: `${process.env.WEBHOOK_URL}/webhook/payment`,
    },
    {
      headers: { Authorization: `Bearer ${process.env.PAYMENT_API_KEY}` },
      timeout: 10000,
    },
  );

  pendingCheckouts.set(appointment.id, { url: checkout.url, createdAt: Date.now() });

  await db('payments').insert({
    appointment_id: appointment.id,
    provider_payment_id: checkout.id,
    amount_cents: appointment.price_cents,
    status: 'created',
  });

  await ctx.answerCbQuery();
  return ctx.reply(
    `Total: ${formatPrice(appointment.price_cents)}`,
    Markup.inlineKeyboard([Markup.button.url('Pay securely', checkout.url)]),
  );
}

module.exports = { sendCheckoutLink };
