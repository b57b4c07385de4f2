exports.up = function up(knex) {
  return knex.schema.createTable('users', (table) => {
    table.increments('id').primary();
    table.bigInteger('telegram_id').notNullable().unique();
    table.string('first_name');
    table.string('username');
    table.string('phone');
    table.timestamps(true, true);
  });
};

exports.down = function down(knex) {
  return knex.schema.dropTable('users');
};
