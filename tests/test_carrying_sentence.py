"""The sentence that carries what a question asks leads the reply (issue 22): where a section
states the asked-for figure only past the first 300 characters, that sentence comes first and
the sentences before it keep their order after it; a section whose heading asks two things
answers both in its first sentence.

The phrasings here are written for these tests, not taken from the eval sets or from the
documents' own "asked" lists."""

from __future__ import annotations

from bot.answers.leading import FIGURE_WITHIN, carrying_sentence_first
from bot.cli.evaluation import FIRST_CHARS, answer_text

OPENING = ("Renewal is handled online through your account, and you need to keep your contact "
           "details current so reminders reach you in time for every cycle you hold. "
           "The board sends a notice before the window opens and again near the end, and you "
           "can check the status of an application from the same page at any time you like. ")
FEE = "The renewal fee is $55 for each two-year cycle."
HEADING = "How do I renew my widget license?"
IDF = {"fee": 3.0, "late": 3.0, "penalti": 3.0, "spanish": 4.0, "form": 3.0}


def paragraph(text: str, kind: str = "paragraph") -> dict:
    return {"kind": kind, "text": text, "cites": ["src-a", "src-b"]}


def test_a_figure_buried_in_the_opening_paragraph_leads_and_the_rest_keeps_its_order():
    assert len(OPENING) > FIGURE_WITHIN
    blocks = [paragraph(OPENING + FEE + " Keep the receipt."), paragraph("Another block.")]
    out = carrying_sentence_first(blocks, "how much is the renewal fee", HEADING, IDF)
    assert out[0]["text"] == FEE
    assert out[1]["text"] == OPENING.strip()
    assert out[2]["text"] == "Keep the receipt."
    assert out[3]["text"] == "Another block."
    # every piece is the section's own text, with the paragraph's citations
    assert all(b["text"] in blocks[0]["text"] or b is blocks[1] for b in out)
    assert all(b["cites"] == ["src-a", "src-b"] for b in out)


def test_a_figure_already_in_view_changes_nothing():
    blocks = [paragraph(FEE + " " + OPENING + "A late renewal costs $25 more.")]
    out = carrying_sentence_first(blocks, "how much is the fee", HEADING, IDF)
    assert out == blocks
    # ... unless a later figure is plainly about more of the question: the late fee
    late = carrying_sentence_first(blocks, "how much is the late fee", HEADING, IDF)
    assert late[0]["text"] == "A late renewal costs $25 more."


def test_a_figure_sentence_sharing_no_word_with_the_question_does_not_lead():
    blocks = [paragraph(OPENING + "Parking near the office costs $5.")]
    out = carrying_sentence_first(blocks, "how much to get it done", HEADING, IDF)
    assert out == blocks


def test_without_a_figure_one_common_word_does_not_move_a_sentence():
    # one shared word moves a sentence only when it is rare (CARRY_RARE): see
    # test_leading.test_one_rare_word_of_the_question_carries_its_sentence_forward
    blocks = [paragraph(OPENING + "A Spanish version exists.")]
    out = carrying_sentence_first(blocks, "is there a spanish one", HEADING,
                                  {**IDF, "spanish": 2.0})
    assert out == blocks
    rare = carrying_sentence_first(blocks, "is there a spanish one", HEADING, IDF)
    assert rare[0]["text"] == "A Spanish version exists."


def test_without_a_figure_a_sentence_with_two_of_the_questions_own_words_leads():
    later = "A Spanish form is available on request."
    blocks = [paragraph(OPENING + later)]
    out = carrying_sentence_first(blocks, "spanish form for renewal?", HEADING, IDF)
    assert out[0]["text"] == later
    assert out[1]["text"] == OPENING.strip()


def test_a_list_introduction_never_leads():
    blocks = [paragraph(OPENING + "The fee and late penalty are listed below:"),
              paragraph("a line without the figure", kind="item")]
    out = carrying_sentence_first(blocks, "late fee penalty", HEADING, IDF)
    assert out == blocks


def test_an_item_that_goes_on_from_its_introduction_leads_after_that_introduction():
    intro = "The renewal page lists what the board checks:"
    item = "spanish form copies, kept for two cycles;"
    blocks = [paragraph(OPENING + intro), paragraph("proof of identity;", kind="item"),
              paragraph(item, kind="item")]
    out = carrying_sentence_first(blocks, "spanish form for renewal?", HEADING, IDF)
    assert [b["text"] for b in out[:2]] == [intro, item]
    assert out[1]["kind"] == "item"


def test_a_sentence_that_points_back_comes_with_the_one_before_it():
    before = "The board publishes a handbook for applicants."
    back = "It says the Spanish form takes ten days."
    blocks = [paragraph(OPENING + before + " " + back)]
    out = carrying_sentence_first(blocks, "spanish form for renewal?", HEADING, IDF)
    assert out[0]["text"] == f"{before} {back}"


def test_the_retake_price_leads_the_answer_about_failing_the_ptce(replier):
    reply = replier.answer("failed the ptce, whats it cost me to sit again")
    assert reply.parts[0].section.startswith("certification/ptce-exam.md#")
    assert "$129" in answer_text(reply)[:FIRST_CHARS]


def test_an_emergency_that_made_someone_miss_the_ptce_is_answered_first(replier):
    reply = replier.answer("my dad got hospitalized and i missed my ptce, now what")
    assert "Emergency Withdrawal" in answer_text(reply)[:FIRST_CHARS]


def test_more_time_on_the_ptce_window_gets_the_extension_price_first(replier):
    reply = replier.answer("can i get more time on my ptce authorization window")
    first = answer_text(reply)[:FIRST_CHARS]
    assert "$20" in first and "90 days" in first


def test_a_question_asked_near_word_for_word_as_the_document_says_gets_that_section(replier):
    # the broader "keep my CPhT active" section ranks higher on the search alone
    reply = replier.answer("how early am i allowed to renew cpht")
    assert reply.parts[0].section == ("ce_renewal/ptcb-deadlines-reinstatement-audits.md#When can I "
                                      "renew my PTCB CPhT, and when is the deadline?")
    assert "60 days" in answer_text(reply)[:FIRST_CHARS]


def test_shorthand_in_the_question_meets_the_documents_words():
    # "hrs" and "cert" are spelled out as for the search, so they match "hours" and
    # "certification" in a sentence past the first 300 characters
    later = "Certification hours from a retired program cannot be carried over."
    blocks = [paragraph(OPENING + later)]
    out = carrying_sentence_first(blocks, "can old cert hrs carry over", HEADING,
                                  {**IDF, "hour": 3.0, "certif": 3.0})
    assert out[0]["text"] == later
    plain = carrying_sentence_first(blocks, "can old cert hrs move", HEADING,
                                    {**IDF, "hour": 3.0, "certif": 3.0})
    assert plain[0]["text"] == later  # two spelled-out terms are enough on their own


def test_a_sentence_in_a_late_list_item_can_lead():
    items = [paragraph(f"Step {n} of the usual process.", kind="item") for n in range(1, 9)]
    later = paragraph("Spanish forms are mailed on request.", kind="item")
    blocks = [paragraph(OPENING), *items, later]
    out = carrying_sentence_first(blocks, "spanish forms by mail?", HEADING, IDF)
    assert out[0]["text"] == later["text"]
    assert out[1:] == [b for b in blocks if b is not later]


def test_a_figure_in_view_about_little_of_the_question_gives_way_to_one_about_more():
    opening = ("Widget jobs set their own rules, from 1 year of any work to a full license. "
               + OPENING)
    later = "A supervisor hired by the board must get a widget license within 90 days of hire."
    blocks = [paragraph(opening + later)]
    idf = {**IDF, "supervisor": 3.0, "hire": 3.0, "licens": 2.0}
    out = carrying_sentence_first(
        blocks, "supervisor job wants the license after hire, how long do i get", HEADING, idf)
    assert out[0]["text"] == later
    # ... but not when the later figure is about no more of the question than the one in view
    same = carrying_sentence_first(blocks, "how long do i get", HEADING, idf)
    assert same == blocks


def test_words_for_the_same_thing_meet_across_question_and_sentence():
    # "must" / "required", "hang onto" / "keep": a question asks in its words, a section
    # answers in the source's; no word of the question is in the sentence as written
    opening = ("Renewal is handled online through your account. The board sends a notice "
               "before the window opens and again near the end, and you can check the status "
               "of an application from the same page at any time you like, from any device, "
               "on any day of the week, and the page shows every step still open to you. ")
    later = "Applicants are required to keep the signed form."
    blocks = [paragraph(opening + later)]
    out = carrying_sentence_first(blocks, "is it a must to hang onto it", HEADING, IDF)
    assert out[0]["text"] == later
    unrelated = carrying_sentence_first(blocks, "is it nice to look at it", HEADING, IDF)
    assert unrelated == blocks


def test_a_filler_word_rare_in_the_documents_carries_nothing():
    # "even" or "actually" is rare in the documents, so weighty by rarity; it asks for nothing
    later = "Register where required; some states want it before you even start as a trainee."
    blocks = [paragraph(OPENING + later)]
    idf = {**IDF, "even": 4.4, "actual": 6.4}
    out = carrying_sentence_first(blocks, "how do i even start, actually", HEADING, idf)
    assert out == blocks


def test_a_sentence_close_in_meaning_needs_fewer_shared_words_to_lead():
    # one common shared word: not enough by words alone (above); close to the question in
    # meaning as well, the sentence leads; the closeness of the others changes nothing
    later = "A Spanish version exists."
    blocks = [paragraph(OPENING + later)]
    idf = {**IDF, "spanish": 2.0}

    def close(sentence: str) -> float:
        return 0.62 if sentence == later else 0.25

    out = carrying_sentence_first(blocks, "is there a spanish one", HEADING, idf, close)
    assert out[0]["text"] == later
    far = carrying_sentence_first(blocks, "is there a spanish one", HEADING, idf,
                                  lambda sentence: 0.25)
    assert far == blocks


def test_every_sentence_of_the_knowledge_base_is_embedded_at_start(replier):
    rows, matrix = replier.sentence_rows, replier.sentence_matrix
    assert len(rows) > 1000 and matrix.shape == (len(rows), replier.retriever.matrix.shape[1])
    fee = next(s for s in rows if "exam fee again" in s)
    vector = replier.retriever.embed([fee])[0]
    close = replier.closeness(vector)
    assert close(fee) > 0.99  # float16 storage keeps the cosine
    question = replier.retriever.embed(["do i pay the whole fee again to retake nha"])[0]
    unrelated = next(s for s in rows if "Purdue" in s)
    assert replier.closeness(question)(fee) > replier.closeness(question)(unrelated) + 0.2
    assert replier.closeness(question)("a sentence that is in no document") == 0.0


def test_closeness_alone_never_pulls_a_list_item_away_from_its_introduction():
    # "how do i get into sterile compounding?? been retail 2 yrs" had opened with "Pathway 1:
    # ... 1 year of full-time sterile compounding work", an item of the pathways list
    item = "A Spanish version exists."
    blocks = [paragraph(OPENING), paragraph("Versions:"), paragraph(item, kind="item")]
    idf = {**IDF, "spanish": 2.0}

    def close(sentence: str) -> float:
        return 0.62 if sentence == item else 0.25

    assert carrying_sentence_first(blocks, "is there a spanish one", HEADING, idf, close) == blocks
