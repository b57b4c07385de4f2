exports.up = function up(knex) {
  return knex.schema.createTable('appointments', (table) => {
    table.increments('id').primary();
    table
      .integer('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE');
    table.string('service').notNullable();
    table.timestamp('starts_at', { useTz: true }).notNullable();
    table.string('status').notNullable().defaultTo('pending');
    table.integer('price_cents').notNullable();
    table.string('calendar_event_id');
    table.timestamps(true, true);
    table.index(['user_id', 'status']);
  });
};

exports.down = function down(knex) {
  return knex.schema.dropTable('appointments');
};
