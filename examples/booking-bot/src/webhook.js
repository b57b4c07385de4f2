const crypto = require('crypto');
const express = require('express');
const db = require('./db');
const { formatAppointment } = require('./utils/format');

function hasValidSignature(req, secret) {
  const received = req.get('X-Signature') || '';
  const expected = crypto.createHmac('sha256', secret).update(req.rawBody).digest('hex');
  if (received.length !== expected.length) {
    return false;
  }
  return crypto.timingSafeEqual(Buffer.from(received), Buffer.from(expected));
}

function createWebhookRouter(bot) {
  const router = express.Router();

  router.post('/webhook/payment', async (req, res) => {
    const secret = process.env.PAYMENT_WEBHOOK_SECRET;
    if (secret) {
      if (!hasValidSignature(req, secret)) {
        return res.status(401).json({ error: 'invalid signature' });
      }
    } else {
      console.warn('PAYMENT_WEBHOOK_SECRET not set, skipping signature check');
    }

    const { payment_id: providerPaymentId, status } = req.body;

    try {
      const payment = await db('payments').where({ provider_payment_id: providerPaymentId }).first();
      if (!payment) {
        return res.status(404).json({ error: 'unknown payment' });
      }

      await db('payments')
        .where({ id: payment.id })
        .update({ status, paid_at: status === 'succeeded' ? db.fn.now() : null });

      if (status === 'succeeded') {
        const appointment = await db('appointments').where({ id: payment.appointment_id }).first();
        if (appointment.status === 'pending') {
          await db('appointments').where({ id: appointment.id }).update({ status: 'confirmed' });
        }

        const user = await db('users').where({ id: appointment.user_id }).first();
        await bot.telegram.sendMessage(
          user.telegram_id,
          `Payment received, see you soon!\n\n${formatAppointment({ ...appointment, status: 'confirmed' })}`,
        );

        if (process.env.ADMIN_CHAT_ID) {
          await bot.telegram.sendMessage(process.env.ADMIN_CHAT_ID, `💶 Booking #${appointment.id} paid`);
        }
      }

      return res.json({ ok: true });
    } catch (err) {
      console.error('Payment webhook failed', err);
      return res.status(500).json({ error: 'internal error' });
    }
  });

  return router;
}

module.exports = { createWebhookRouter };
