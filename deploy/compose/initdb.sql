-- Run once by the postgres image, on its first start with an empty volume
-- (/docker-entrypoint-initdb.d): one database and one login role per service, so that no
-- service can read another's tables (ARCHITECTURE.md: "no service reads another's tables").
-- Each service applies its own migrations at start-up; this file only creates the empty
-- databases, and pg_trgm (used by accounts' user search and messages' search) as superuser.
--
-- The passwords come from the postgres container's environment (psql 15's \getenv), which
-- docker-compose.yml fills from the same variables as the services' *_DATABASE_URL. Changing
-- them later means ALTER ROLE ... PASSWORD by hand: this script does not run again.

\set ON_ERROR_STOP on

\getenv accounts_password ACCOUNTS_DB_PASSWORD
\getenv groups_password GROUPS_DB_PASSWORD
\getenv messages_password MESSAGES_DB_PASSWORD
\getenv notifications_password NOTIFICATIONS_DB_PASSWORD

CREATE ROLE parley_accounts LOGIN PASSWORD :'accounts_password';
CREATE DATABASE parley_accounts OWNER parley_accounts;
REVOKE ALL ON DATABASE parley_accounts FROM PUBLIC;

CREATE ROLE parley_groups LOGIN PASSWORD :'groups_password';
CREATE DATABASE parley_groups OWNER parley_groups;
REVOKE ALL ON DATABASE parley_groups FROM PUBLIC;

CREATE ROLE parley_messages LOGIN PASSWORD :'messages_password';
CREATE DATABASE parley_messages OWNER parley_messages;
REVOKE ALL ON DATABASE parley_messages FROM PUBLIC;

CREATE ROLE parley_notifications LOGIN PASSWORD :'notifications_password';
CREATE DATABASE parley_notifications OWNER parley_notifications;
REVOKE ALL ON DATABASE parley_notifications FROM PUBLIC;

\connect parley_accounts
CREATE EXTENSION IF NOT EXISTS pg_trgm;

\connect parley_messages
CREATE EXTENSION IF NOT EXISTS pg_trgm;
