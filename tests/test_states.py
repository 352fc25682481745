"""The state layer: every jurisdiction as sourced data, generated documents that replies cite,
state-aware answers, /state and the roadmap's registration step (through the Bot API stub)."""

from __future__ import annotations

import textwrap

import pytest
import yaml
from conftest import ROOT
from e2e_support import running_bot

from bot.answers import templates
from bot.career import model as career
from bot.cli.evaluation import CitationChecker
from bot.content import states
from bot.content.states import all_documents, load_states

T = 30


@pytest.fixture(scope="module")
def records():
    return load_states()


@pytest.fixture(scope="module")
def checker():
    return CitationChecker(all_documents([ROOT / "knowledge"]))


def test_every_state_dc_and_puerto_rico_has_a_record_with_its_board(records):
    names = {code for code in career.US_STATE_NAMES if code not in ("GU", "VI")}
    assert set(records) == names and len(records) == 52
    for record in records.values():
        assert record.board.url.startswith(("http://", "https://"))
        assert record.name == career.US_STATE_NAMES[record.code]


def test_core_requirement_is_official_for_at_least_35(records):
    official = [
        code for code, r in records.items()
        if r.credential.value is not None
        and r.source(r.credential.source).reliability == "official"
    ]
    assert len(official) >= 35, sorted(set(records) - set(official))


def test_a_known_fact_without_a_source_is_rejected(tmp_path):
    data = yaml.safe_load((states.STATES_DIR / "TX.yaml").read_text(encoding="utf-8"))
    data["minimum_age"] = {"value": 18}
    (tmp_path / "TX.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(states.StateDataError, match="a known value needs a source id"):
        load_states(tmp_path)


def test_a_listed_source_no_fact_cites_is_rejected(tmp_path):
    data = yaml.safe_load((states.STATES_DIR / "TX.yaml").read_text(encoding="utf-8"))
    data["sources"].append({"id": "extra", "title": "Unused page", "url": "https://example.org/",
                            "as_of": "undated", "reliability": "3rd-party"})
    (tmp_path / "TX.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(states.StateDataError, match="sources cited by no fact"):
        load_states(tmp_path)


def test_generated_documents_cite_only_their_record(records):
    for record in records.values():
        doc = states.state_document(record)
        ids = {s.id for s in doc.meta.sources}
        assert [s.heading for s in doc.sections] == [
            states.requirement_heading(record), states.renewal_heading(record), "Next step"]
        for section in doc.sections:
            for block in section.blocks:
                assert block.cites and set(block.cites) <= ids, (record.code, block.text)


def test_unknown_facts_say_not_confirmed_and_name_the_board():
    data = yaml.safe_load(textwrap.dedent("""\
        code: ZZ
        name: Nowhere
        board: {name: Nowhere Board of Pharmacy, url: "https://nowhere.example/board"}
        credential: {value: null}
        trainee_category: {value: null}
        minimum_age: {value: null}
        education: {value: null}
        national_certification: {value: null}
        training: {value: null}
        ratio: {value: null}
        renewal: {}
        sources: [{id: x, title: Nowhere statute, url: "https://nowhere.example/law",
                   as_of: undated, reliability: official}]
        reviewed: "2026-11-27"
        """))
    data["credential"] = {"value": "registration", "source": "x"}
    record = states.Jurisdiction.model_validate(data)
    lines = [text for text, _ in states.card_lines(record)]
    assert lines[0].startswith("To work as a pharmacy technician in Nowhere you must register")
    assert sum("not confirmed" in line and "https://nowhere.example/board" in line
               for line in lines) == 7  # six facts and the renewal rule


@pytest.mark.parametrize(("question", "code", "heading"), [
    ("what do I need in Colorado", "CO", "requirement"),
    ("do I need to be certified in Utah", "UT", "requirement"),
    ("how many CE hours for a Michigan tech license renewal", "MI", "renewal"),
])
def test_a_question_naming_a_state_is_answered_from_its_record(replier, checker, question,
                                                              code, heading, records):
    reply = replier.answer(question)
    record = records[code]
    want = (states.requirement_heading(record) if heading == "requirement"
            else states.renewal_heading(record))
    assert reply.parts[0].section == f"{states.document_path(code)}#{want}"
    assert checker.problems(reply) == []


def test_a_move_between_two_states_covers_the_new_state_and_the_transfer(replier, checker,
                                                                          records):
    reply = replier.answer("I'm moving from Nevada to Oregon, what happens to my tech license?")
    sections = [p.section for p in reply.parts]
    assert sections[0] == f"states/or.md#{states.requirement_heading(records['OR'])}"
    assert any(s.startswith("registration/") and "transfer" in s.lower() for s in sections)
    assert "not transfer" in reply.to_text() or "does not transfer" in reply.to_text()
    assert not any(s.startswith("states/nv.md") for s in sections)
    assert checker.problems(reply) == []


def test_renewal_question_adds_the_profile_states_rules(replier, checker, records):
    plain = replier.answer("what do i need to do to renew my cpht")
    with_state = replier.answer("what do i need to do to renew my cpht", home_state="FL")
    assert plain.parts[0].topic == with_state.parts[0].topic == "ce_renewal"
    florida = f"states/fl.md#{states.renewal_heading(records['FL'])}"
    assert florida not in {p.section for p in plain.parts}
    assert florida in {p.section for p in with_state.parts}
    assert checker.problems(with_state) == []


def test_roadmap_registration_step_names_the_board(records):
    profile = career.Profile(status="exploring", setting=None, state="CO")
    roadmap = career.build_roadmap(profile, records["CO"])
    first = roadmap.steps[0]
    assert records["CO"].board.url in first.detail
    assert first.requirements[0].text == states.credential_sentence(records["CO"])
    without = career.roadmap_as_text(career.build_roadmap(profile))
    assert records["CO"].board.url not in without and records["CO"].board.name not in without


async def test_state_command_and_path_through_telegram(tmp_path, replier, records):
    user = 8801
    async with running_bot(tmp_path, replier) as rb:
        stub, storage = rb.stub, rb.storage
        stub.mark()
        stub.user_message(user, "/state ohio")
        (card,) = await stub.wait_for_messages(user, 1, timeout=T, method="sendMessage")
        text = card["plain_text"]
        assert text.startswith("Pharmacy technician rules in Ohio")
        assert records["OH"].board.name in text and "Sources:" in text
        stub.mark()
        stub.user_message(user, "/state " + "x" * 3000)
        (unknown,) = await stub.wait_for_messages(user, 1, timeout=T, method="sendMessage")
        assert unknown["plain_text"].startswith("I don't know a state called")
        assert len(unknown["plain_text"]) < 200
        stub.mark()
        stub.user_message(user, "/state")
        (ask_state,) = await stub.wait_for_messages(user, 1, timeout=T, method="sendMessage")
        assert ask_state["plain_text"] == templates.STATE_NOT_SET
        await storage.update_profile(user, state="CO")
        stub.mark()
        stub.user_message(user, "/state")
        (mine,) = await stub.wait_for_messages(user, 1, timeout=T, method="sendMessage")
        assert mine["plain_text"].startswith("Pharmacy technician rules in Colorado")
        stub.mark()
        stub.user_message(user, "/path")
        (path,) = await stub.wait_for_messages(user, 1, timeout=T, method="sendMessage")
        assert records["CO"].board.name in path["plain_text"]


def test_a_question_asks_for_the_facts_of_the_card_it_names():
    assert states.asked_facts("can a 17 yr old work as a tech in ohio") == {"minimum_age"}
    assert states.asked_facts("whats the tech to rph ratio in az") == {"ratio"}
    assert "national_certification" in states.asked_facts("do i need my ptcb to register in wv")
    assert "trainee_category" in states.asked_facts("is there a trainee permit in tx")
    assert states.asked_facts("what do i need in colorado") == set()


def test_the_card_line_a_question_asks_for_comes_first(replier, checker, records):
    """A rule question about one state answers with the card line it asks for, in the
    first sentence, with the state's name in it (the card's own opening comes after)."""
    record = records["KY"]
    reply = replier.answer("my daughter is 16, can she be a pharmacy tech in kentucky")
    assert reply.parts[0].section == f"states/ky.md#{states.requirement_heading(record)}"
    assert reply.parts[0].text.startswith("Minimum age in Kentucky: 16 years")
    assert any(p.text.startswith("To work as a pharmacy technician in Kentucky") for p in reply.parts)
    assert checker.problems(reply) == []
    plain = replier.answer("what do i need to work as a tech in kentucky")
    assert plain.parts[0].text.startswith("To work as a pharmacy technician in Kentucky")


def test_the_card_leads_when_another_document_about_the_state_is_only_near_the_top(
        replier, records):
    """A state-specific section of another document displaces the card only when it leads
    the search (Texas CE has its own document); here Florida's training section does not."""
    reply = replier.answer("fl tech here, is ptcb certification required or only registration")
    assert reply.parts[0].section == f"states/fl.md#{states.requirement_heading(records['FL'])}"
    assert "not required" in reply.parts[0].text[:300]


def test_a_card_that_leaves_the_asked_fact_unconfirmed_does_not_lead(replier, records):
    """California's record has no confirmed minimum age: the card, whose line would only say
    "not confirmed", does not take the lead from the search's sections."""
    assert records["CA"].minimum_age.value is None
    assert not states.card_answers(records["CA"], "how old do u have to be to be a tech in ca")
    reply = replier.answer("how old do u have to be to be a tech in california")
    assert not reply.parts[0].section.startswith("states/")


def test_one_hour_of_ce_is_written_in_the_singular(records):
    line = states.renewal_sentence(records["CA"])
    assert "1 hours" not in line and "1 hour of continuing education" in line


@pytest.mark.parametrize(("text", "codes"), [
    ("moving to NEW YORK from ohio", ["NY", "OH"]),
    ("Moving To New York From Ohio", ["NY", "OH"]),
    ("moving from Washington DC to Texas", ["DC", "TX"]),
    ("TECH LICENSE IN WASHINGTON DC", ["DC"]),
    # not ASCII: the case-blind pattern reads it
    ("técnico en Nueva York o en TEXAS", ["TX"]),
    ("me mudo a Florida, ¿qué necesito?", ["FL"]),
])
def test_state_names_are_found_in_any_case_in_ascii_and_other_text(text, codes):
    assert states.find_states(text, states.all_states()) == codes


def test_a_fact_the_card_leaves_open_is_led_by_the_section_that_speaks_of_it(replier, records):
    """Texas's record has no confirmed minimum age: the section on minimum ages, which tells
    Texans to ask their board, leads, not how Texas registers (which says nothing of age, and
    had led); and the reply ends with Texas's own next step, not the age document's."""
    assert records["TX"].minimum_age.value is None
    reply = replier.answer("how old do u have to be to be a tech in texas")
    assert reply.parts[0].section == ("registration/background-checks-and-minimum-age.md#"
                                      "What is the minimum age to work as a pharmacy technician?")
    assert "For Texas" in " ".join(p.text for p in reply.parts)
    step = next(p for p in reply.parts if p.role == "next_step")
    assert step.section.startswith("states/tx.md#") and "pharmacy.texas.gov" in step.text


def test_a_state_named_in_a_topic_question_ends_with_the_states_next_step(replier):
    reply = replier.answer("is tech check tech legal in michigan")
    assert not reply.parts[0].section.startswith("states/")
    step = next(p for p in reply.parts if p.role == "next_step")
    assert step.section.startswith("states/mi.md#")


def test_ce_for_a_states_registration_gets_its_renewal_card(replier, records):
    # how Florida approves training (about Florida, closer in meaning) had led
    reply = replier.answer("do i need ce for my florida registration")
    assert reply.parts[0].section == f"states/fl.md#{states.renewal_heading(records['FL'])}"


@pytest.mark.parametrize(("text", "spelled"), [
    ("is ptcb required in wa", "is ptcb required in Washington"),
    ("tech license in nc?", "tech license in North Carolina?"),
    ("TX rules for new techs", "Texas rules for new techs"),
    ("moving from ohio to TX, in cali now", "moving from ohio to Texas, in California now"),
    ("is that ok with my boss", "is that ok with my boss"),  # a word, not Oklahoma
    ("pa school or nursing", "pa school or nursing"),
])
def test_a_states_code_is_spelled_out_as_its_name_for_the_search(text, spelled, records):
    assert states.spell_out_codes(text, records) == spelled


def test_a_state_named_by_its_code_is_searched_by_its_name(replier, records):
    # "wa" alone is nothing to the model: the PTCB certificates' section had led
    reply = replier.answer("is ptcb required in wa")
    assert reply.parts[0].section == f"states/wa.md#{states.requirement_heading(records['WA'])}"


def test_a_states_rule_with_no_word_of_the_field_is_in_scope(replier, records):
    # read as off topic before: no word of the field
    reply = replier.answer("whats the ratio in kentucky")
    assert reply.kind == "answer" and reply.parts[0].section.startswith("states/ky.md#")
    assert replier.answer("how do dental hygienists get licensed in ohio").kind == "off_topic"


def test_the_safety_reading_reads_the_message_as_written(replier):
    # the search reads "tx" as Texas; the crisis is read from the message itself
    reply = replier.answer("lost my tx registration and i want to kill myself")
    assert reply.kind == "crisis" and reply.safety == "crisis"


@pytest.mark.parametrize(("text", "codes"), [
    ("tech license in nc?", ["NC"]), ("TX rules", ["TX"]), ("in fl", ["FL"]),
    ("registered in PA", ["PA"]), ("va tech license?", ["VA"]), ("pa school", []),
    ("all pa techs must register", ["PA"]), ("moving to OR", ["OR"]), ("in or out", []),
    ("IN", []), ("in IN", ["IN"]), ("me too", []), ("ME tech", []), ("in HI", ["HI"]),
    ("HI there", []), ("wa tech ce how many hours", ["WA"]), ("new tx tech", ["TX"]),
    ("a ca tech license", ["CA"]), ("from ok to ar", ["AR"]), ("ohio or md", ["OH", "MD"]),
    ("moving to LA", []), ("tx", ["TX"]), ("GA tech", ["GA"]),
    # informal names, in any case (ASCII text is read lowercased)
    ("in cali", ["CA"]), ("In Cali?", ["CA"]), ("IN CALI", ["CA"]), ("Mass tech license", ["MA"]),
    ("MASS email", []), ("moving to Jersey", ["NJ"]), ("JERSEY", []), ("minn ce", ["MN"]),
    ("técnico en cali", []), ("me mudo a Cali, técnico", []), ("técnico in Cali", ["CA"]),
])
def test_codes_and_informal_names_are_read_as_states_only_where_they_are_one(text, codes):
    """Each test on a two-letter word is made only when the ones before it leave the answer
    open; the informal names are matched in lowercased ASCII text: the same states either way."""
    assert states.find_states(text, states.all_states()) == codes


@pytest.mark.parametrize(("text", "codes"), [
    # an everyday word after "in" at the end of a message about the field (had found no state)
    ("ok so do i need a license in ok", ["OK"]), ("tech rules in me?", ["ME"]),
    ("do techs need a license in oh?", ["OH"]),
    # ... and chat fillers after the last word ("in ga lol" had found none)
    ("is it hard to be a tech in ga lol", ["GA"]), ("moving to ga tho", ["GA"]),
    # not words of everyday English
    ("is that ok", []), ("believe in me", []), ("can i work as a tech in or without it", []),
    ("i live in in, do techs register there", []),
])
def test_everyday_words_at_the_end_and_fillers_after_a_code(text, codes, records):
    assert states.find_states(text, records) == codes


def test_a_states_ratio_by_its_code_is_not_a_medication_question(replier):
    # the model read "ratio" with "ky" as a dose: it had the medication redirect
    reply = replier.answer("whats the ratio in ky")
    assert reply.safety == "none" and reply.parts[0].section.startswith("states/ky.md#")


def test_a_move_by_postal_codes_leads_with_the_new_states_card(replier, checker, records):
    """Another document's section about the new state leads a move only when it is about
    moving or a lapsed registration: Arizona's rule on technology-assisted verification is
    not how a license moves there (it had led with how California licenses)."""
    reply = replier.answer("how do i move my tech license from ca to az")
    assert reply.parts[0].section == f"states/az.md#{states.requirement_heading(records['AZ'])}"
    assert checker.problems(reply) == []


def test_a_card_fact_no_other_section_speaks_of_is_the_cards_to_say(replier, records):
    """How California licenses says nothing of its ratio: the card leads, with its line that
    the ratio is not confirmed and where to check (the 2026 figure has no official source)."""
    assert records["CA"].ratio.value is None
    reply = replier.answer("whats the tech ratio in california rn")
    assert reply.parts[0].section.startswith("states/ca.md#")
    assert "ratio" in reply.parts[0].text and "Not confirmed" in reply.parts[0].text
    assert "1:3" not in reply.to_text() and "1 to 3" not in reply.to_text()
