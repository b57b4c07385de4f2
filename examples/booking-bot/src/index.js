require('dotenv').config();

const express = require('express');
const { createBot } = require('./bot');
const { createWebhookRouter } = require('./webhook');

const PORT = Number(process.env.PORT) || 3000;

const bot = createBot();
const app = express();

app.use(
  express.json({
    verify: (req, res, buf) => {
      req.rawBody = buf;
    },
  }),
);
app.use(createWebhookRouter(bot));

bot.launch().then(() => {
  console.log('Bot is polling for updates');
  return bot.telegram.setMyCommands([
    { command: 'start', description: 'Welcome message' },
    { command: 'book', description: 'Book an appointment' },
    { command: 'mybookings', description: 'Your upcoming appointments' },
    { command: 'cancel', description: 'Cancel your next appointment' },
    { command: 'help', description: 'How this bot works' },
  ]);
});

app.listen(PORT, () => {
  console.log(`Webhook server listening on port ${PORT}`);
});
