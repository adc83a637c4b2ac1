"""What a verdict means for a test run, given what the claim file expects: passed, failed or xfailed.

Strict both ways: a claim expected to be refuted fails once it holds, and an
open question (``expect = "inconclusive"``) fails once the data decide it, so
the file gets updated. Inconclusive never passes silently.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Judgement", "item_status"]


@dataclass(frozen=True)
class Judgement:
    status: str  # "passed" | "failed" | "xfailed"
    headline: str  # one line saying what happened and, on failure, what to change


def item_status(outcome: str, expect: str) -> Judgement:
    """The pytest status of an item whose verdict is ``outcome``
    when the file says ``expect``, with its headline.

    Not a check's judge (``lenet.checks``): that one makes the verdict; this reads it against the file.
    """
    if outcome == expect:
        if expect == "holds":
            return Judgement("passed", "HOLDS")
        if expect == "refuted":
            return Judgement("xfailed", 'REFUTED, as the file expects (expect = "refuted")')
        return Judgement("xfailed", 'still INCONCLUSIVE: an open question (expect = "inconclusive")')
    if expect == "holds":
        why = (
            "the data contradict the claim"
            if outcome == "refuted"
            else "the data decide neither way (see 'to decide')"
        )
        return Judgement("failed", f"{outcome.upper()}: {why}")
    if expect == "refuted":
        if outcome == "holds":
            return Judgement(
                "failed",
                'the claim now HOLDS, but the file says expect = "refuted" (strict). '
                "Remove the expect line if it should hold.",
            )
        return Judgement(
            "failed", 'INCONCLUSIVE, but the file says expect = "refuted"; the data no longer refute it.'
        )
    fix = "remove the expect line" if outcome == "holds" else 'set expect = "refuted"'
    return Judgement(
        "failed",
        f'the open question is decided: {outcome.upper()} (the file says expect = "inconclusive", strict). '
        f"Update the file: {fix}.",
    )
