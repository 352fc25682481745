# Two commands for a newcomer on a fresh machine:
#   make run    set up .venv, build or update the knowledge store, start the bot
#               (without TELEGRAM_BOT_TOKEN: the same bot on a local chat page)
#   make test   set up .venv and run the checks and the test suite

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install ingest run chat test lint eval bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# the CPU build of torch first; a plain "torch" would pull a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Incremental: embeds only what changed, and is a quick no-op when nothing did.
ingest: install
	$(BIN)/python ingest.py

run: ingest
	@# without TELEGRAM_BOT_TOKEN this serves the chat page at http://127.0.0.1:8080/
	$(BIN)/python -m bot

chat: ingest
	$(BIN)/python -m bot chat

lint: install
	$(BIN)/ruff check .

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

eval: ingest
	$(BIN)/python -m bot eval tests/data/eval_questions.jsonl

bench: ingest
	$(BIN)/python -m bot bench

clean:
	rm -rf $(VENV) data
