"""The safety reading's numeric helpers give, to the bit, what the plain numpy expressions
they replace give: the mean of the two highest scope similarities, and the nearest examples'
vote (checked against a reference written the numpy way, on random unit vectors and on
hand-made neighbours with ties and negative similarities)."""

from __future__ import annotations

import numpy as np

from bot.answers.safety_bank import BANK_LABELS, KNN_FLOOR, KNN_K, ExampleBank
from bot.answers.scope import top2_mean


def test_top2_mean_is_the_numpy_mean_of_the_two_highest():
    rng = np.random.default_rng(7)
    for n in range(2, 50):
        for scale in (1e-3, 0.3, 1.0, 40.0):
            x = (rng.standard_normal(n) * scale).astype(np.float32)
            assert top2_mean(x) == float(np.sort(x)[-2:].mean()), x
    assert top2_mean(np.array([0.1, 0.9, 0.5], dtype=np.float32)) == float(
        (np.float32(0.9) + np.float32(0.5)) / 2)


def _reference(bank: ExampleBank, vectors: np.ndarray) -> list[tuple[str, float, float]]:
    sims = vectors @ bank.bank_vectors.T
    top = np.argpartition(-sims, KNN_K, axis=1)[:, :KNN_K]
    out = []
    for row, idx in zip(sims, top, strict=True):
        weights = np.clip(row[idx], 0.0, None)
        labels = bank.bank_labels[idx]
        votes = np.bincount(labels, weights=weights, minlength=len(BANK_LABELS))
        best = int(votes.argmax())
        share = float(votes[best] / max(weights.sum(), 1e-9))
        closest = float(row[idx][labels == best].max()) if (labels == best).any() else 0.0
        out.append((BANK_LABELS[best], share, closest))
    return out


def _bank(vectors: np.ndarray, labels: np.ndarray) -> ExampleBank:
    bank = ExampleBank()
    bank.bank_vectors, bank.bank_labels = vectors.astype(np.float32), labels
    bank._urgent = bank._urgent_bank()  # as ScopeReader sets it with the bank
    return bank


def test_nearest_labels_match_the_numpy_vote():
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((600, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    bank = _bank(vectors, rng.integers(0, len(BANK_LABELS), 600))
    queries = rng.standard_normal((300, 64)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    assert bank.nearest_labels(queries) == _reference(bank, queries)
    for q in queries[:50]:  # one message at a time, as the reader asks
        assert bank.nearest_labels(q[None, :]) == _reference(bank, q[None, :])


def test_nearest_labels_on_ties_and_negative_neighbours():
    # every example equally far: a tie between labels goes to the first label, as argmax does
    same = np.tile(np.eye(1, 8, 0, dtype=np.float32), (12, 1))
    tied = _bank(same, np.array([1, 0] * 6))
    query = np.eye(1, 8, 0, dtype=np.float32)
    assert tied.nearest_labels(query) == _reference(tied, query)
    assert tied.nearest_labels(query)[0][0] == "crisis"
    # all neighbours pointing away: no weight at all, share 0
    away = _bank(-same, np.array([2] * 12))
    assert away.nearest_labels(query) == _reference(away, query) == [("crisis", 0.0, 0.0)]


def test_a_message_the_urgent_rows_rule_out_gets_no_urgent_vote():
    # queries near bank rows of every label (some close enough for a crisis vote, some not):
    # where the urgent rows rule a vote out, the whole bank's vote gives no crisis reading
    rng = np.random.default_rng(11)
    vectors = rng.standard_normal((400, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    bank = _bank(vectors, rng.integers(0, len(BANK_LABELS), 400))
    ruled_out = kept = 0
    for i, noise in zip(rng.integers(0, 400, 600), rng.uniform(0.2, 2.0, 600), strict=True):
        q = vectors[i] + noise * rng.standard_normal(32).astype(np.float32) / np.sqrt(32)
        q = (q / np.linalg.norm(q)).astype(np.float32)
        label, _share, closest = bank.nearest_labels(q[None, :])[0]
        urgent_vote = label in KNN_FLOOR and closest >= KNN_FLOOR[label]
        if bank.may_vote_urgent(q):
            kept += 1
        else:
            ruled_out += 1
            assert not urgent_vote, (label, closest)
    assert ruled_out > 50 and kept > 50  # both ways tried
    # several vectors at once (a message's clauses), with a lower crisis floor
    floors = {"crisis": 0.48, "someone_else": 0.65}
    queries = vectors[rng.integers(0, 400, 300)] + rng.uniform(0.2, 2.0, (300, 1)).astype(
        np.float32) * rng.standard_normal((300, 32)).astype(np.float32) / np.sqrt(32)
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    may = bank.may_vote_urgent(queries, floors)
    assert may.shape == (300,) and 20 < int(may.sum()) < 280
    for q, (label, _share, closest), maybe in zip(queries, bank.nearest_labels(queries), may,
                                                  strict=True):
        assert maybe or not (label in floors and closest >= floors[label]), (label, closest)
    # a query equal to a crisis row is never ruled out
    crisis_row = int(np.flatnonzero(bank.bank_labels == BANK_LABELS.index("crisis"))[0])
    assert bank.may_vote_urgent(vectors[crisis_row])


def test_the_folded_clauses_are_those_the_phrases_were_read_in():
    from bot.answers import safety

    for text in ["I'm soooo DONE with retail, and my boss said I'm a burden!!",
                 "mi jefe me grito hoy. ya no quiero vivir", "how do i renew my cpht"]:
        reading = safety.read_phrases(text)
        assert reading.folded_clauses() == [safety.fold(c) for c in reading.clauses]
        assert len(reading.folded) == len(reading.clauses) >= 1
    bare = safety.PhraseReading(clauses=["Not OK!", "fine"])  # made without read_phrases
    assert bare.folded_clauses() == ["not ok", "fine"]


def test_a_message_of_one_clause_is_folded_once_and_as_its_clause():
    """A message that is one clause has its folded whole used as the folded clause: the same
    text as folding the clause, over every set's messages and with ends clauses strip."""
    import json
    from pathlib import Path

    from bot.answers import safety

    data = Path(__file__).parent / "data"
    single = 0
    for path in sorted(data.glob("safety_messages*.jsonl")) + sorted(data.glob("eval_*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            text = json.loads(line)["q"]
            for variant in (text, f" -{text}., ", f"{text}\n", text.upper()):
                parts = safety.clauses(variant)
                if len(parts) == 1:
                    single += 1
                    reading = safety.read_phrases(variant)
                    assert reading.folded == [safety.fold(parts[0])], variant
    assert single > 500


def test_every_english_phrase_opens_at_a_word_boundary():
    """Each English layer is one alternation of its phrases; Python's regex engine skips ahead
    to where a match can start only when every branch says where that is. One branch opening
    with ``^`` or an optional group made the crisis layer's scan 3.6 times slower (the phrase
    layer went from 0.31 to 0.61 ms a message in the bench)."""
    from bot.answers import safety_phrases as phrases

    for name in ("SELF_EN", "OTHER_EN", "EMERGENCY_EN", "DISTRESS_EN", "DENIAL_EN",
                 "RETRACTION_EN", "REASSURANCE_EN"):
        assert [p for p in getattr(phrases, name) if not p.startswith(r"\b")] == [], name


def test_the_urgent_rows_are_the_banks_leading_rows_when_it_holds_them_first():
    """The bank holds its crisis and someone-else rows first (BANK_LABELS' order): the urgent
    check reads those rows in place (no copy), with the same answers as a copy would give."""
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((300, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.sort(rng.integers(0, len(BANK_LABELS), 300))
    bank = _bank(vectors, labels)
    urgent, crisis = bank._urgent
    count = int(np.isin(labels, [0, 1]).sum())
    assert np.shares_memory(urgent, bank.bank_vectors) and urgent.shape == (count, 32)
    assert urgent.flags.c_contiguous and crisis.tolist() == (labels[:count] == 0).tolist()
    shuffled = _bank(vectors[::-1].copy(), labels[::-1].copy())  # urgent rows last: a copy
    assert not np.shares_memory(shuffled._urgent[0], shuffled.bank_vectors)
    queries = vectors[rng.integers(0, 300, 200)] + rng.standard_normal((200, 32)).astype(
        np.float32) * 0.1
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    for floors in (KNN_FLOOR, {"crisis": 0.48, "someone_else": 0.65}):
        together = bank.may_vote_urgent(queries, floors)
        assert together.tolist() == shuffled.may_vote_urgent(queries, floors).tolist()
        assert [bank.may_vote_urgent(q, floors) for q in queries] == together.tolist()
        assert 0 < int(together.sum()) < 200
