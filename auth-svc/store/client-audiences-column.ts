/** Same SQL for SQLite and PostgreSQL: the services a client may exchange users' tokens for (space-separated). */
export const CLIENT_AUDIENCES_MIGRATION = {
  version: 7,
  name: 'service clients: the audiences they may exchange tokens for',
  sql: `ALTER TABLE service_clients ADD COLUMN audiences TEXT NOT NULL DEFAULT '';`,
};
