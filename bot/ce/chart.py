"""The /ce status progress chart: a PNG rendered off-screen with matplotlib (no pyplot state,
so it is safe to render from a worker thread)."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.ce.rules import CEStatus

DONE, MISSING, CAP = "#2e7d32", "#e0e0e0", "#1565c0"


def status_chart_png(statuses: list[CEStatus]) -> bytes:
    """Horizontal bars per rule (hours done vs needed), one panel per credential."""
    rows = max(1, len(statuses))
    heights = [0.45 * max(3, len(s.rules)) + 0.9 for s in statuses] or [2.0]
    fig = Figure(figsize=(7.5, sum(heights)), dpi=110)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, status in zip(axes, statuses, strict=False):
        labels, done, needed, colors = [], [], [], []
        for rule in reversed(status.rules):
            label = rule.label if len(rule.label) <= 42 else rule.label[:41] + "…"
            labels.append(("✓ " if rule.met else "✗ ") + label)
            goal = rule.needed if rule.needed else 1.0
            done.append(min(rule.done, goal))
            needed.append(goal)
            colors.append(CAP if rule.kind == "max" else (DONE if rule.met else "#ef6c00"))
        y = range(len(labels))
        ax.barh(y, needed, color=MISSING, height=0.6)
        ax.barh(y, done, color=colors, height=0.6)
        for i, rule in enumerate(reversed(status.rules)):
            text = f"{rule.done:g} / {rule.needed:g}" if rule.needed else ("done" if rule.met else "")
            ax.text(needed[i] * 1.01, i, text, va="center", fontsize=8)
        ax.set_yticks(list(y), labels, fontsize=8)
        ax.set_xlim(0, max(needed) * 1.25)
        ax.set_title(
            f"{status.credential.name}\nexpires {status.expiration.isoformat()} "
            f"({status.days_to_expiration} days)",
            fontsize=9, loc="left", ha="left",
        )
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlabel("hours", fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
