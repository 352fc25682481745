"""Sample CPE Monitor transcripts, made from a list of activities: as the PDF a technician
downloads from their NABP e-Profile (header with name and e-Profile ID, a table of activity
title, provider, UAN, date, contact hours and CEUs, titles wrapped in their cell, the table
headings repeated on every page, page footers, a totals line) and as the text copied from the
e-Profile page. Used by the tests and by ``bench`` (the PDF needs fpdf2, from the dev extra).
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta

from bot.ce.model import format_hours

#: The columns of the NABP table, by the name the renderers take, with their headings.
HEADINGS = {
    "title": "Activity Title",
    "provider": "Provider",
    "uan": "UAN",
    "date": "Date of Participation",
    "hours": "Contact Hours",
    "ceus": "CEUs",
}
NABP_ORDER = ("title", "provider", "uan", "date", "hours", "ceus")
DATE_FORMS = ("%m/%d/%Y", "%Y-%m-%d", "%b %d, %Y")


@dataclass(frozen=True)
class SampleActivity:
    title: str
    provider: str
    uan: str
    completed_on: date
    hours: float

    @property
    def ceus(self) -> float:
        return round(self.hours / 10, 3)


def cell(activity: SampleActivity, column: str, date_form: str = "%m/%d/%Y") -> str:
    if column == "title":
        return activity.title
    if column == "provider":
        return activity.provider
    if column == "uan":
        return activity.uan
    if column == "date":
        return activity.completed_on.strftime(date_form)
    if column == "hours":
        return f"{activity.hours:.2f}"
    return f"{activity.ceus:.3f}"


_TITLE_WORDS = (
    "Medication", "Error", "Prevention", "Sterile", "Compounding", "Update", "Federal",
    "Pharmacy", "Law", "Opioid", "Safety", "Immunization", "Technician", "Hazardous", "Drugs",
    "USP", "<797>", "Inventory", "Management", "Look-Alike", "Sound-Alike", "Names", "Insulin",
    "Pens", "Controlled", "Substances", "Diversion", "Billing", "Basics", "Review",
)
_PROVIDERS = (
    "Pharmacy Times Continuing Education", "Power-Pak C.E.", "FreeCE", "ProCE, Inc.",
    "American Society of Health-System Pharmacists", "Texas Pharmacy Association",
    "University of Connecticut School of Pharmacy", "Pharmacist's Letter",
)
_TOPICS = ("01", "03", "04", "05", "07", "08", "12")


def sample_activities(n: int, seed: int = 7, end: date = date(2026, 11, 30)) -> list[SampleActivity]:
    """``n`` different technician activities over the two years before ``end``."""
    rng = random.Random(seed)
    out: list[SampleActivity] = []
    for i in range(n):
        words = rng.sample(_TITLE_WORDS, rng.randint(3, 11))
        day = end - timedelta(days=rng.randint(0, 720))
        provider = f"{rng.randint(1, 999):04d}" if rng.random() < 0.8 else f"JA{rng.randint(1, 9999999):07d}"
        uan = (f"{provider}-0000-{day.year % 100:02d}-{i % 1000:03d}-"
               f"{rng.choice('HHHLB')}{rng.choice(_TOPICS)}-T")
        out.append(SampleActivity(" ".join(words), rng.choice(_PROVIDERS), uan, day,
                                  rng.choice((0.5, 1.0, 1.25, 1.5, 2.0, 3.0, 0.75))))
    return sorted(out, key=lambda a: (a.completed_on, a.uan))


# --------------------------------------------------------------------------------------------
# Pasted text
# --------------------------------------------------------------------------------------------


def render_text(
    activities: list[SampleActivity], columns: tuple[str, ...] = NABP_ORDER, *,
    separator: str = "\t", wrap: int = 0, date_form: str = "%m/%d/%Y",
    name: str = "Tess Tech", eprofile_id: str = "1234567",
) -> str:
    """The transcript as text copied from the e-Profile page: a header, a heading row, one row
    per activity (cells separated by ``separator``) and a totals line. ``wrap``: text cells
    wrap at that width, each line of a wrapped cell under its column (cells then separated by
    at least two spaces, as a fixed-width layout)."""
    lines = [f"NABP e-Profile ID: {eprofile_id}", f"Name: {name}", "CPE Monitor Transcript", ""]
    rows = [[HEADINGS[c] for c in columns]] + [
        [cell(a, c, date_form) for c in columns] for a in activities]
    if not wrap:
        lines += [separator.join(row) for row in rows]
    else:
        wrapped = [[textwrap.wrap(text, wrap, break_on_hyphens=False,
                                                break_long_words=False) or [""] for text in row] for row in rows]
        widths = [max(len(line) for row in wrapped for line in row[i]) + 3
                  for i in range(len(columns))]
        for row in wrapped:
            for k in range(max(len(parts) for parts in row)):
                lines.append("".join(
                    (parts[k] if k < len(parts) else "").ljust(widths[i])
                    for i, parts in enumerate(row)).rstrip())
    total = sum(a.hours for a in activities)
    lines += ["", f"Total: {format_hours(total)} contact hours ({total / 10:.3f} CEUs)"]
    return "\n".join(lines) + "\n"


def render_cards(activities: list[SampleActivity], date_form: str = "%m/%d/%Y") -> str:
    """The transcript as a page of cards copies: each activity's title, then one field a
    line (``Provider: ...``, ``UAN: ...``)."""
    lines = ["NABP e-Profile ID: 1234567", "Name: Tess Tech", ""]
    for a in activities:
        lines += [a.title, f"Provider: {a.provider}", f"UAN: {a.uan}",
                  f"Date of Participation: {a.completed_on.strftime(date_form)}",
                  f"Credits: {a.hours:.2f} contact hours ({a.ceus:.3f} CEUs)", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# PDF (fpdf2)
# --------------------------------------------------------------------------------------------

_WIDTHS = {"title": 62, "provider": 42, "uan": 46, "date": 24, "hours": 16, "ceus": 14}


def render_pdf(
    activities: list[SampleActivity], columns: tuple[str, ...] = NABP_ORDER, *,
    date_form: str = "%m/%d/%Y", name: str = "Tess Tech", eprofile_id: str = "1234567",
    non_acpe: list[tuple[str, str, date, float]] = (), line_height: float = 4.5,
    v_align: str = "TOP", padding: float = 0,
) -> bytes:
    """The transcript as the NABP PDF: landscape Letter, page header and footer, the table
    with its headings repeated on each page, then uploaded non-ACPE credit (no UAN) and the
    totals line. ``v_align``: where a row's shorter cells sit beside a wrapped title (TOP or
    MIDDLE). Needs fpdf2 (the dev extra)."""
    from fpdf import FPDF
    from fpdf.enums import VAlign

    class Transcript(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "B", 12)
            self.cell(0, 6, "NABP CPE Monitor - Activity Transcript", new_x="LMARGIN",
                      new_y="NEXT")
            self.set_font("Helvetica", "", 9)
            self.cell(0, 5, f"Name: {name}    NABP e-Profile ID: {eprofile_id}",
                      new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Transcript(orientation="L", format="Letter")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 9)
    widths = tuple(_WIDTHS[c] for c in columns)
    with pdf.table(col_widths=widths, width=sum(widths), text_align="LEFT",
                   v_align=VAlign[v_align[0]], line_height=line_height, repeat_headings=1,
                   padding=padding) as table:
        table.row([HEADINGS[c] for c in columns])
        for activity in activities:
            table.row([cell(activity, c, date_form) for c in columns])
    if non_acpe:
        pdf.ln(4)
        pdf.cell(0, 5, "Uploaded Non-ACPE Credit", new_x="LMARGIN", new_y="NEXT")
        with pdf.table(col_widths=widths, width=sum(widths), text_align="LEFT",
                       v_align=VAlign[v_align[0]], line_height=line_height,
                       padding=padding) as table:
            table.row([HEADINGS[c] for c in columns])
            for title, provider, day, hours in non_acpe:
                values = {"title": title, "provider": provider, "uan": "", "date":
                          day.strftime(date_form), "hours": f"{hours:.2f}",
                          "ceus": f"{hours / 10:.3f}"}
                table.row([values[c] for c in columns])
    total = sum(a.hours for a in activities)
    pdf.ln(4)
    pdf.cell(0, 5, f"Total: {format_hours(total)} contact hours ({total / 10:.3f} CEUs)")
    return bytes(pdf.output())
