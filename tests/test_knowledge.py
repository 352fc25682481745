"""The knowledge base: coverage of the real documents, and the document validator itself."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bot.content import documents as knowledge
from bot.content.documents import STAGES, TOPICS, DocumentError, load_documents

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"

GOOD = textwrap.dedent(
    """\
    ---
    title: "A good synthetic document"
    topic: start
    stage: foundation
    sources:
      - id: ptcb-home
        title: PTCB home page
        url: https://www.ptcb.org/
        as_of: "undated"
    reviewed: 2026-01-01
    ---

    ## What is this?

    A short body that is long enough to be a sentence of its own.[^ptcb-home]
    """
)


@pytest.fixture(scope="module")
def documents() -> list[knowledge.Document]:
    return load_documents([KNOWLEDGE])


# --- the real knowledge base ----------------------------------------------------------------


def test_at_least_40_documents(documents):
    assert len(documents) >= 40


def test_every_topic_has_at_least_two_documents(documents):
    counts = Counter(d.meta.topic for d in documents)
    assert set(counts) == set(TOPICS)
    assert len(TOPICS) == 13
    thin = {t: counts[t] for t in TOPICS if counts[t] < 2}
    assert thin == {}


@pytest.mark.parametrize(
    "topic", ["certification", "ce_renewal", "sterile_compounding", "settings", "leadership"]
)
def test_core_topics_have_at_least_three_documents(documents, topic):
    assert sum(d.meta.topic == topic for d in documents) >= 3


def test_exactly_one_stage_overview_per_stage(documents):
    overviews = Counter(d.meta.stage for d in documents if d.meta.stage_overview)
    assert len(STAGES) == 6
    assert overviews == Counter({stage: 1 for stage in STAGES})


def test_every_source_has_an_http_url(documents):
    bad = [
        (d.path, s.url)
        for d in documents
        for s in d.meta.sources
        if urlparse(s.url).scheme not in ("http", "https") or not urlparse(s.url).netloc
    ]
    assert bad == []
    assert all(len(d.meta.sources) >= 1 for d in documents)


def test_titles_are_unique(documents):
    titles = Counter(d.meta.title.strip().lower() for d in documents)
    assert [t for t, n in titles.items() if n > 1] == []


def test_every_document_has_a_section_heading(documents):
    missing = [
        d.path for d in documents if not any(ln.startswith("## ") for ln in d.body.splitlines())
    ]
    assert missing == []


def test_no_document_contains_todo():
    hits = [
        f"{f.relative_to(KNOWLEDGE)}:{n}"
        for f in sorted(KNOWLEDGE.rglob("*.md"))
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
        if "TODO" in line
    ]
    assert hits == []


def test_no_markdown_tables():
    """The bot sends plain text, so a table would arrive as a mess of pipes."""
    hits = [
        f"{f.relative_to(KNOWLEDGE)}:{n}"
        for f in sorted(KNOWLEDGE.rglob("*.md"))
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
        if line.lstrip().startswith("|")
    ]
    assert hits == []


def test_knowledge_cli_counts_documents(documents, capsys):
    assert knowledge.main([str(KNOWLEDGE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{len(documents)} documents valid"
    counts = Counter(d.meta.topic for d in documents)
    for topic in TOPICS:
        assert f"  {topic}: {counts[topic]}" in out
    assert out[-1] == "  stage overviews: " + ", ".join(sorted(STAGES))


# --- the validator ----------------------------------------------------------------------------


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _problems(folder: Path) -> list[str]:
    with pytest.raises(DocumentError) as info:
        load_documents([folder])
    return str(info.value).splitlines()


def test_the_synthetic_good_document_is_valid(tmp_path):
    _write(tmp_path, "good.md", GOOD)
    docs = load_documents([tmp_path])
    assert [(d.path, d.meta.title, d.meta.topic, d.meta.stage) for d in docs] == [
        ("good.md", "A good synthetic document", "start", "foundation")
    ]
    assert docs[0].body.startswith("## What is this?")
    [section] = docs[0].sections
    assert section.heading == "What is this?"
    assert [(b.kind, b.text, b.cites) for b in section.blocks] == [
        ("paragraph", SENTENCE, ("ptcb-home",))
    ]


def test_sections_keep_paragraphs_and_list_items_with_their_citations(tmp_path):
    body = (
        "\n## How is it done?\n\nIt is done in two steps:[^ptcb-home]\n\n"
        "- first step, which wraps\n  onto a second line.[^ptcb-home][^nha-home]\n"
        "- second step.[^nha-home]\n\nA closing paragraph.[^ptcb-home]\n"
    )
    _write(tmp_path, "two.md", GOOD.replace('    as_of: "undated"\n', SECOND_SOURCE) + body)
    [doc] = load_documents([tmp_path])
    assert [s.heading for s in doc.sections] == ["What is this?", "How is it done?"]
    assert [(b.kind, b.text, b.cites) for b in doc.sections[1].blocks] == [
        ("paragraph", "It is done in two steps:", ("ptcb-home",)),
        ("item", "first step, which wraps onto a second line.", ("ptcb-home", "nha-home")),
        ("item", "second step.", ("nha-home",)),
        ("paragraph", "A closing paragraph.", ("ptcb-home",)),
    ]
    assert doc.source("nha-home").url == "https://www.nhanow.com/"


def test_every_real_document_cites_every_paragraph(documents):
    """The real knowledge base parses into sections whose blocks all carry citations."""
    for doc in documents:
        assert doc.sections, doc.path
        assert doc.sections[-1].heading == "Next step", doc.path
        ids = {s.id for s in doc.meta.sources}
        for section in doc.sections:
            for block in section.blocks:
                assert block.cites and set(block.cites) <= ids, (doc.path, block.text)


def test_headings_are_questions_that_stand_alone(documents):
    vague = [
        (d.path, s.heading) for d in documents for s in d.sections
        if s.heading != "Next step" and (not s.heading.endswith("?") or len(s.heading.split()) < 3)
    ]
    assert vague == []


SOURCES_BLOCK = (
    "sources:\n  - id: ptcb-home\n    title: PTCB home page\n    url: https://www.ptcb.org/\n"
    '    as_of: "undated"\n'
)
SECOND_SOURCE = (
    '    as_of: "undated"\n  - id: nha-home\n    title: NHA home page\n'
    '    url: https://www.nhanow.com/\n    as_of: "undated"\n'
)
SENTENCE = "A short body that is long enough to be a sentence of its own."


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("no-sources.md", GOOD.replace(SOURCES_BLOCK, ""), "sources: Field required"),
        (
            "no-title.md",
            GOOD.replace('title: "A good synthetic document"\n', ""),
            "title: Field required",
        ),
        ("author.md", GOOD.replace("reviewed:", "author: Bob\nreviewed:"), "author: unknown field"),
        ("topic.md", GOOD.replace("topic: start", "topic: cooking"), "topic: Input should be"),
        (
            "stage.md",
            GOOD.replace("stage: foundation", "stage: retirement"),
            "stage: Input should be",
        ),
        (
            "no-url.md",
            GOOD.replace("    url: https://www.ptcb.org/\n", ""),
            "sources.0.url: Field required",
        ),
        (
            "ftp-url.md",
            GOOD.replace("https://www.ptcb.org/", "ftp://ptcb.org/file"),
            "sources.0.url: Value error, must be an http(s) URL",
        ),
        (
            "bare-url.md",
            GOOD.replace("https://www.ptcb.org/", "www.ptcb.org"),
            "sources.0.url: Value error, must be an http(s) URL",
        ),
        (
            "empty-sources.md",
            GOOD.replace(SOURCES_BLOCK, "sources: []\n"),
            "sources: List should have at least 1 item",
        ),
        ("empty-body.md", GOOD.split("## What")[0], "empty body"),
        (
            "no-heading.md",
            GOOD.replace("## What is this?", "What is this?"),
            "no '## ' heading in the body",
        ),
        (
            "h3-only.md",
            GOOD.replace("## What is this?", "### What is this?"),
            "no '## ' heading in the body",
        ),
        (
            "no-front-matter.md",
            GOOD.split("---\n", 2)[2],
            "no YAML front matter (the file must start with ---)",
        ),
        ("unclosed.md", "---\ntitle: x\n", "front matter is not closed with ---"),
        ("list.md", "---\n- a\n- b\n---\n\n## x\n\ntext\n", "front matter must be a mapping"),
        (
            "no-id.md",
            GOOD.replace("  - id: ptcb-home\n    title:", "  - title:"),
            "sources.0.id: Field required",
        ),
        (
            "bad-id.md",
            GOOD.replace("ptcb-home", "PTCB Home"),
            "sources.0.id: String should match pattern",
        ),
        (
            "no-marker.md",
            GOOD.replace("own.[^ptcb-home]", "own."),
            "section 'What is this?': no [^id] source marker at its end",
        ),
        (
            "unknown-marker.md",
            GOOD.replace("own.[^ptcb-home]", "own.[^ptcb-home][^ptcb-fees]"),
            "marker [^ptcb-fees] names no source",
        ),
        (
            "marker-inside.md",
            GOOD.replace(SENTENCE + "[^ptcb-home]", "A short body[^ptcb-home] that goes on.[^ptcb-home]"),
            "a [^id] marker stands inside the text",
        ),
        (
            "unused-source.md",
            GOOD.replace('    as_of: "undated"\n', SECOND_SOURCE),
            "source 'nha-home' is cited by no paragraph",
        ),
        (
            "duplicate-id.md",
            GOOD.replace('    as_of: "undated"\n', SECOND_SOURCE.replace("nha-home", "ptcb-home")),
            "source id 'ptcb-home' is used by more than one source",
        ),
        (
            "item-without-marker.md",
            GOOD + "- a list item with no source\n",
            "no [^id] source marker at its end: 'a list item with no source'",
        ),
        (
            "h3-inside.md",
            GOOD + "\n### A deeper heading\n\nMore text.[^ptcb-home]\n",
            "use '## ' headings only",
        ),
        (
            "bad-yaml.md",
            GOOD.replace("topic: start", "topic: [start"),
            "front matter is not valid YAML",
        ),
    ],
)
def test_validator_rejects_with_file_and_problem(tmp_path, name, text, problem):
    _write(tmp_path, "fine.md", GOOD.replace("A good synthetic", "Another good"))
    _write(tmp_path, name, text)
    problems = _problems(tmp_path)
    assert problems[0].startswith(f"{name}: ")
    assert problem in problems[0]
    assert not any("fine.md" in p for p in problems)


def test_validator_rejects_topic_by_its_vocabulary_only(tmp_path):
    # a near miss (capitalised) is still outside the vocabulary
    _write(tmp_path, "cap.md", GOOD.replace("topic: start", "topic: Start"))
    [problem] = _problems(tmp_path)
    assert problem.startswith("cap.md: topic: Input should be 'start'")


def test_duplicate_titles_across_two_files(tmp_path):
    _write(tmp_path, "a.md", GOOD)
    twin = GOOD.replace("A good synthetic document", "a GOOD synthetic document")
    _write(tmp_path, "sub/b.md", twin)
    assert _problems(tmp_path) == [
        "sub/b.md: duplicate title 'a GOOD synthetic document' (also in a.md)"
    ]


def test_not_utf8_file(tmp_path):
    (tmp_path / "latin.md").write_bytes(GOOD.replace("A short", "Caf\xe9 short").encode("latin-1"))
    assert _problems(tmp_path) == ["latin.md: not UTF-8 text"]


def test_readme_is_not_a_document(tmp_path):
    _write(tmp_path, "README.md", "# Knowledge base\n\nNot a document.\n")
    _write(tmp_path, "good.md", GOOD)
    assert [d.path for d in load_documents([tmp_path])] == ["good.md"]


def test_missing_root_is_a_problem(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DocumentError) as info:
        load_documents([missing])
    assert str(info.value) == f"{missing}: not a directory"


def test_all_problems_are_reported_at_once(tmp_path):
    _write(tmp_path, "good.md", GOOD)
    _write(tmp_path, "one.md", GOOD.replace("reviewed:", "author: Bob\nreviewed:").replace(
        "A good synthetic", "First bad"))
    _write(tmp_path, "two.md", GOOD.replace("stage: foundation", "stage: nope").replace(
        "A good synthetic", "Second bad"))
    problems = _problems(tmp_path)
    assert len(problems) == 2
    assert problems[0] == "one.md: author: unknown field"
    assert problems[1].startswith("two.md: stage: Input should be")


def test_problems_in_a_second_root_are_labelled_with_its_folder(tmp_path):
    first, extra = tmp_path / "kb", tmp_path / "extra"
    _write(first, "good.md", GOOD)
    _write(extra, "x/bad.md", GOOD.replace("topic: start", "topic: cooking"))
    problems = _problems_roots([first, extra])
    assert len(problems) == 1
    assert problems[0].startswith("extra/x/bad.md: topic: ")


def _problems_roots(roots: list[Path]) -> list[str]:
    with pytest.raises(DocumentError) as info:
        load_documents(roots)
    return str(info.value).splitlines()


def test_knowledge_cli_reports_problems_on_stderr(tmp_path, capsys):
    _write(tmp_path, "bad.md", GOOD.replace("topic: start", "topic: cooking"))
    assert knowledge.main([str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("bad.md: topic: Input should be")


def test_malformed_yaml_is_one_line_among_all_problems(tmp_path):
    _write(tmp_path, "bad-yaml.md", GOOD.replace("topic: start", "topic: [start"))
    _write(tmp_path, "author.md", GOOD.replace("reviewed:", "author: Bob\nreviewed:"))
    problems = _problems(tmp_path)
    assert len(problems) == 2
    assert problems[0].startswith("author.md: ")
    assert problems[1].startswith("bad-yaml.md: ")


def test_triple_dash_inside_a_front_matter_value_is_valid(tmp_path):
    _write(tmp_path, "dashes.md", GOOD.replace("PTCB home page", '"PTCB --- home page"'))
    [doc] = load_documents([tmp_path])
    assert doc.meta.sources[0].title == "PTCB --- home page"
