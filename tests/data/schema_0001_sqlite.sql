-- The schema a database had before migrations existed (sqlite): what
-- Base.metadata.create_all ran for bot/storage.py's models at commit b458e5e (the
-- release before Alembic), generated from those models with CreateTable/CreateIndex.
-- Frozen on purpose: tests/test_migrations.py builds "a database from the previous
-- release" from it, whatever the models say now. Each statement ends with ';' at the end of a line.

CREATE TABLE users (
	id BIGINT NOT NULL, 
	chat_id BIGINT, 
	first_name VARCHAR(128), 
	status VARCHAR(32), 
	setting VARCHAR(32), 
	interests JSON NOT NULL, 
	state VARCHAR(2), 
	timezone VARCHAR(64) NOT NULL, 
	nudges_enabled BOOLEAN NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE ce_credentials (
	id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	credential VARCHAR(32) NOT NULL, 
	expiration DATE NOT NULL, 
	snoozed_until DATETIME, 
	cycle_start DATE, 
	PRIMARY KEY (id), 
	CONSTRAINT one_row_per_credential UNIQUE (user_id, credential), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_ce_credentials_user_id ON ce_credentials (user_id);

CREATE TABLE ce_entries (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	user_id BIGINT NOT NULL, 
	hours FLOAT NOT NULL, 
	topic VARCHAR(32) NOT NULL, 
	audience VARCHAR(1) NOT NULL, 
	completed_on DATE NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	uan VARCHAR(40), 
	delivery VARCHAR(16), 
	tags VARCHAR(300), 
	created_at DATETIME NOT NULL, 
	deleted_at DATETIME, 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_ce_entries_user_id ON ce_entries (user_id);

CREATE TABLE feedback (
	id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	turn_id INTEGER, 
	rating INTEGER NOT NULL, 
	question TEXT NOT NULL, 
	sources JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT one_rating_per_turn UNIQUE (user_id, turn_id), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_feedback_user_id ON feedback (user_id);

CREATE TABLE sent_nudges (
	id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	credential VARCHAR(32) NOT NULL, 
	expiration DATE NOT NULL, 
	milestone VARCHAR(16) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	claimed_at DATETIME NOT NULL, 
	attempts INTEGER, 
	next_try_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT nudge_once UNIQUE (user_id, credential, expiration, milestone), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_sent_nudges_user_id ON sent_nudges (user_id);

CREATE TABLE turns (
	id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	question TEXT NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	sources JSON NOT NULL, 
	followups JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_turns_created_at ON turns (created_at);

CREATE INDEX ix_turns_user_id ON turns (user_id);
