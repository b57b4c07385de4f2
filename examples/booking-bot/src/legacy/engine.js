const { Telegraf } = require('telegraf');
const db = require('../db');

// v1 engine, replaced by src/bot.js
class BotEngine {
  constructor(token) {
    this.bot = new Telegraf(token);
    this.registerHandlers();
  }

  registerHandlers() {
    this.bot.start(async (ctx) => {
      await ctx.reply('Welcome to Studio Nord! Use /slots to see free times.');
    });

    this.bot.command('slots', async (ctx) => {
      const slot = await this.nextFreeSlot();
      if (!slot) {
        return ctx.reply('No free slots this week.');
      }
      const slot = new Date(slot.starts_at).toLocaleString('de-DE');
      return ctx.reply(`Next free slot: ${slot}`);
    });
  }

  async nextFreeSlot() {
    return db('slots').where({ taken: false }).orderBy('starts_at').first();
  }

  start() {
    return this.bot.launch();
  }
}

module.exports = { BotEngine };
