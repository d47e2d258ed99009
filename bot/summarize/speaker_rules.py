"""The attribution rules: each proposes speakers for one quote site.

Every rule has the same signature, ``rule(ctx, site, earlier) -> list[Proposal]``:
``ctx`` is the prepared document (:mod:`bot.summarize.speaker_context`), ``site``
the quote, ``earlier`` the decisions already made for the quotes before it (read
only). A rule proposes zero or more speakers and never decides: all proposals of
all rules are pooled, and the ranker (:mod:`bot.summarize.speaker_model`) scores
each candidate from which rules proposed it and a few facts about it, with weights
learned from the PolNeAR training split. So a rule may be bold; the data decides
how much it is trusted, and no rule's order matters.

To add a rule: write a function with this signature, add it to :data:`RULES`,
rebuild the weights (``newsbot eval quotes --train --data quotes_train.jsonl``)
and add a test with a made-up sentence in ``tests/summarize/test_speaker_rules.py``.

The phrase-level machinery the rules call (cue patterns, subjects, name
resolution) lives in the ``speaker_*`` modules; word lists in ``quote_names``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.summarize.speaker_clauses import first_subject
from bot.summarize.speaker_context import Attribution, Prepared, QuoteSite
from bot.summarize.speaker_coref import resolve
from bot.summarize.speaker_cues import (
    credit_line,
    cue_after,
    cue_before,
    cue_ending_previous_sentence,
    intro_paragraph,
    intro_paragraph_subject,
)
from bot.summarize.speaker_inheritance import previous_body, previous_speaker, shares_sentence
from bot.summarize.speaker_labels import headline_speaker, label_speaker, topic_label
from bot.summarize.speaker_sentences import (
    embedding_subject,
    previous_sentence_subject,
    sentence_subject_for,
    speech_noun_possessor,
)
from bot.summarize.speaker_tokens import SENT_END, Subject, first_at, sentence_start

__all__ = ["CUE_RULES", "RULES", "Proposal", "Rule"]


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Proposal:
    speaker: str
    rule: str


Rule = Callable[[Prepared, QuoteSite, Sequence[Attribution]], list[Proposal]]


def _from_subject(ctx: Prepared, site: QuoteSite, earlier: Sequence[Attribution],
                  subj: Subject | None, rule: str) -> list[Proposal]:
    """Proposals from a cue's subject: a name or description resolved to the entity;
    a pronoun resolved three ways (the document's nearest compatible person, the
    speaker of the quote just before, a non-person body before), each its own rule."""
    if subj is None:
        return []
    out: list[Proposal] = []
    who = resolve(ctx.doc, subj)
    kind = "pronoun" if subj.kind == "pronoun" else "name" if subj.kind == "name" else "np"
    if who:
        out.append(Proposal(who, f"{rule}.{kind}"))
    if subj.kind == "pronoun" and site.index > 0:
        speakers = _Column(earlier, lambda a: a.speaker)
        by_cue = _Column(earlier, lambda a: a.by_cue)
        spans = ctx.spans
        prev = previous_speaker(ctx.doc, spans, speakers, by_cue, site.index, subj)
        if prev:
            out.append(Proposal(prev, f"{rule}.pronoun_previous_speaker"))
        body = previous_body(ctx.doc, spans, speakers, by_cue, site.index, subj)
        if body:
            out.append(Proposal(body, f"{rule}.pronoun_previous_body"))
    return out


class _Column(Sequence[T]):
    """One field of the earlier decisions as a read-only sequence (no copy per
    quote: long articles stay linear)."""

    def __init__(self, earlier: Sequence[Attribution], get: Callable[[Attribution], T]) -> None:
        self._earlier = earlier
        self._get = get

    def __len__(self) -> int:
        return len(self._earlier)

    def __getitem__(self, i: int) -> T:  # type: ignore[override]
        return self._get(self._earlier[i])


# --------------------------------------------------------------------------- cue rules


def cue_after_quote(ctx: Prepared, site: QuoteSite,
                    earlier: Sequence[Attribution]) -> list[Proposal]:
    """``"...," X said`` / ``"...," said X, a spokesman`` / ``according to X``."""
    if site.closes_sentence:
        return []
    subj = cue_after(ctx.tokens, site.marker + 1, site.hi, site.set_off)
    return _from_subject(ctx, site, earlier, subj, "cue_after")


_SENTENCE_END_CLAUSE = 16  # tokens from the cue clause's comma to the sentence's end


def cue_ending_sentence(ctx: Prepared, site: QuoteSite,
                        earlier: Sequence[Attribution]) -> list[Proposal]:
    """``X's endorsements carry "weight" and bring "firepower", DFA spokesman Neil
    Sroka said.`` / ``"...," just as Clinton did in 2008, Rendell added.``: the cue in
    the short clause closing the quote's sentence, past other words or quotes (the
    clause right after the quote is :func:`cue_after_quote`'s)."""
    if site.closes_sentence:
        return []
    tokens = ctx.tokens
    end = first_at(tokens, site.sentence_end)
    reach = max(site.marker + 1, end - _SENTENCE_END_CLAUSE - 1)
    # From the last comma leftwards: "..., said David Axelrod, a former strategist."
    for comma in range(end - 1, reach, -1):
        if tokens[comma].text != ",":
            continue
        subj = cue_after(tokens, comma + 1, end, True)
        if subj is not None:
            return _from_subject(ctx, site, earlier, subj, "cue_sentence_end")
    return []


def cue_before_quote(ctx: Prepared, site: QuoteSite,
                     earlier: Sequence[Attribution]) -> list[Proposal]:
    """``X said: "..."`` / ``X called it "a disaster"`` (a pronoun subject of a
    subordinate cue takes the sentence's subject)."""
    subj = cue_before(ctx.tokens, site.lo, site.marker)
    if subj is not None and subj.kind == "pronoun":
        subj = sentence_subject_for(ctx.doc, ctx.tokens, site.lo, site.marker, subj)
    return _from_subject(ctx, site, earlier, subj, "cue_before")


def cue_previous_sentence(ctx: Prepared, site: QuoteSite,
                          earlier: Sequence[Attribution]) -> list[Proposal]:
    """``X said. "..."``: the cue ends the sentence right before the quote."""
    if site.lo >= site.marker:
        return []
    subj = cue_ending_previous_sentence(ctx.tokens, site.lo, site.marker)
    return _from_subject(ctx, site, earlier, subj, "cue_previous_sentence")


def intro_paragraph_cue(ctx: Prepared, site: QuoteSite,
                        earlier: Sequence[Attribution]) -> list[Proposal]:
    """A paragraph opening with the quote, after a paragraph ending ``X said:``."""
    if site.lo != site.marker or site.para_start == 0:
        return []
    subj = intro_paragraph(ctx.text, ctx.tokens, site.para_start)
    return _from_subject(ctx, site, earlier, subj, "intro_paragraph")


def intro_paragraph_subject_rule(ctx: Prepared, site: QuoteSite,
                                 earlier: Sequence[Attribution]) -> list[Proposal]:
    """A paragraph opening with the quote, after a paragraph ending ``X issued the
    following statement:`` (no speech verb): that sentence's subject."""
    if site.lo != site.marker or site.para_start == 0:
        return []
    subj = intro_paragraph_subject(ctx.text, ctx.tokens, site.para_start)
    return _from_subject(ctx, site, earlier, subj, "intro_subject")


def credit_line_after(ctx: Prepared, site: QuoteSite,
                      earlier: Sequence[Attribution]) -> list[Proposal]:
    """A quote ending its paragraph, then a credit line: ``"..."`` / ``- Sanders.``."""
    if not site.ends_paragraph:
        return []
    subj = credit_line(ctx.tokens, first_at(ctx.tokens, site.para_end))
    return _from_subject(ctx, site, earlier, subj, "credit_line")


def speech_noun(ctx: Prepared, site: QuoteSite,
                earlier: Sequence[Attribution]) -> list[Proposal]:
    """``Trump's claim that "..."``: the possessor of a speech noun."""
    if site.lo >= site.marker:
        return []
    subj = speech_noun_possessor(ctx.tokens, site.lo, site.marker)
    return _from_subject(ctx, site, earlier, subj, "speech_noun")


# --------------------------------------------------------------------------- labels


def headline_label(ctx: Prepared, site: QuoteSite,
                   earlier: Sequence[Attribution]) -> list[Proposal]:
    """A headline ``Obama Sees 'Insult' ...``: the person named next to its verb."""
    if site.paragraph != 0 or not ctx.doc.head_end:
        return []
    who = headline_speaker(ctx.doc, ctx.tokens, site.lo, site.hi, site.para_end)
    return [Proposal(who, "headline")] if who else []


def transcript_label(ctx: Prepared, site: QuoteSite,
                     earlier: Sequence[Attribution]) -> list[Proposal]:
    """``TRUMP: "..."`` / ``Clinton on trade: "..."``."""
    subj = label_speaker(ctx.text, site.span, ctx.tokens, site.para_start)
    if subj is None and site.paragraph == 0:
        subj = topic_label(ctx.doc, site.span)
    return _from_subject(ctx, site, earlier, subj, "label")


# --------------------------------------------------------------------------- sentence


def sentence_subject(ctx: Prepared, site: QuoteSite,
                     earlier: Sequence[Attribution]) -> list[Proposal]:
    """A cue-less quote inside a sentence: the subject the sentence embeds it under
    (``Trump described the ground as "Swiss cheese"``)."""
    if site.lo >= site.marker:
        return []
    subj = embedding_subject(ctx.doc, ctx.tokens, site.lo, site.marker)
    return _from_subject(ctx, site, earlier, subj, "sentence_subject")


def previous_sentence(ctx: Prepared, site: QuoteSite,
                      earlier: Sequence[Attribution]) -> list[Proposal]:
    """A quote closing its paragraph: the named subject of the sentence before it."""
    if site.lo >= site.marker or not site.ends_paragraph:
        return []
    subj = previous_sentence_subject(ctx.doc, ctx.tokens, first_at(ctx.tokens, site.para_start),
                                     site.marker)
    return _from_subject(ctx, site, earlier, subj, "previous_sentence")


def previous_paragraph(ctx: Prepared, site: QuoteSite,
                       earlier: Sequence[Attribution]) -> list[Proposal]:
    """A paragraph opening with a quote after a paragraph with no quote: the speaker
    that paragraph's last sentence reports (``Kerry said that 100,000 would come.`` /
    ``"That adds up to ..."``; ``previous_paragraph_cue``), else its subject
    (``Will urged voters to ...``; ``previous_paragraph``)."""
    text, tokens = ctx.text, ctx.tokens
    if site.para_start == 0 or text[site.para_start:site.span.outer_start].strip():
        return []
    prev_end = site.para_start
    while prev_end > 0 and text[prev_end - 1].isspace():
        prev_end -= 1
    a = first_at(tokens, text.rfind("\n", 0, prev_end) + 1)
    b = first_at(tokens, prev_end)
    if b - a < 3 or any(t.text == "\u201c" for t in tokens[a:b]):
        return []
    end = b - 1 if tokens[b - 1].text in SENT_END else b
    subj = cue_before(tokens, a, end)
    if subj is not None:
        return _from_subject(ctx, site, earlier, subj, "previous_paragraph_cue")
    s = sentence_start(tokens, end, a)
    subj = first_subject(tokens, s, end)
    if subj is None or subj.kind == "np":
        return []
    return _from_subject(ctx, site, earlier, subj, "previous_paragraph")


def people_in_sentence(ctx: Prepared, site: QuoteSite,
                       earlier: Sequence[Attribution]) -> list[Proposal]:
    """Every person or body the quote's sentence names outside the quote; the ranker
    weighs them by distance and position."""
    lo, hi = site.sentence_start, site.sentence_end
    out: list[Proposal] = []
    for m in ctx.mentions_between(lo, hi):
        if not (site.span.outer_start <= m.start < site.span.outer_end):
            rule = "sentence_mention.before" if m.start < site.span.outer_start \
                else "sentence_mention.after"
            out.append(Proposal(ctx.full_names.get(m.start) or m.text, rule))
    return out


# --------------------------------------------------------------------------- conventions

_LOOK_BACK = 12  # earlier quotes a convention looks through (a bound for huge paragraphs)



def continued_quote(ctx: Prepared, site: QuoteSite,
                    earlier: Sequence[Attribution]) -> list[Proposal]:
    """A quote continuing one left open at the end of the paragraph before."""
    if site.span.continues_previous and earlier and earlier[-1].speaker:
        return [Proposal(earlier[-1].speaker, "continued_quote")]
    return []


def continued_by_next(ctx: Prepared, site: QuoteSite,
                      earlier: Sequence[Attribution]) -> list[Proposal]:
    """A quote left open at its paragraph's end and continued in the next paragraph,
    whose cue comes only after the continuation (``"... again,`` / ``"and nobody will
    stop us," Bell said.``): the continuation's cue."""
    i = site.index + 1
    if i >= len(ctx.sites) or not ctx.spans[i].continues_previous:
        return []
    nxt = ctx.sites[i]
    if nxt.closes_sentence:
        return []
    subj = cue_after(ctx.tokens, nxt.marker + 1, nxt.hi, nxt.set_off)
    if subj is None or subj.kind == "pronoun":
        return []
    who = resolve(ctx.doc, subj)
    return [Proposal(who, "continued_quote.next_cue")] if who else []


def same_sentence_quote(ctx: Prepared, site: QuoteSite,
                        earlier: Sequence[Attribution]) -> list[Proposal]:
    """A second quote in the sentence of the one before takes its speaker."""
    if not earlier or not earlier[-1].speaker:
        return []
    if shares_sentence(ctx.text, ctx.spans, site.index, ctx.tokens, site.lo, site.marker):
        return [Proposal(earlier[-1].speaker, "same_sentence_quote")]
    return []


def same_paragraph_quote(ctx: Prepared, site: QuoteSite,
                         earlier: Sequence[Attribution]) -> list[Proposal]:
    """The speaker a cue gave an earlier quote in the same paragraph."""
    for j in range(site.index - 1, max(-1, site.index - 1 - _LOOK_BACK), -1):
        if ctx.spans[j].paragraph != site.paragraph:
            break
        who = earlier[j].speaker
        if who and earlier[j].by_cue:
            return [Proposal(who, "same_paragraph_quote")]
    return []


def quote_paragraph_after_quote(ctx: Prepared, site: QuoteSite,
                                earlier: Sequence[Attribution]) -> list[Proposal]:
    """A paragraph that is only a quote, right after a paragraph that quoted someone."""
    if not site.whole_paragraph or not earlier:
        return []
    prev = ctx.spans[site.index - 1]
    if prev.paragraph == site.paragraph - 1 and earlier[-1].speaker:
        return [Proposal(earlier[-1].speaker, "quote_paragraph_after_quote")]
    return []


def recent_speaker(ctx: Prepared, site: QuoteSite,
                   earlier: Sequence[Attribution]) -> list[Proposal]:
    """The speakers of the last two quotes within two paragraphs: a quote with no cue
    in running news copy is most often theirs."""
    out: list[Proposal] = []
    seen: set[str] = set()
    for j in range(site.index - 1, max(-1, site.index - 1 - _LOOK_BACK), -1):
        if site.paragraph - ctx.spans[j].paragraph > 2 or len(seen) >= 2:
            break
        who = earlier[j].speaker
        if who and who not in seen:
            out.append(Proposal(who, "recent_speaker" if not seen else "recent_speaker.second"))
            seen.add(who)
    return out


RULES: tuple[Rule, ...] = (
    cue_after_quote,
    cue_ending_sentence,
    cue_before_quote,
    cue_previous_sentence,
    intro_paragraph_cue,
    intro_paragraph_subject_rule,
    credit_line_after,
    speech_noun,
    headline_label,
    transcript_label,
    sentence_subject,
    previous_sentence,
    previous_paragraph,
    people_in_sentence,
    continued_quote,
    continued_by_next,
    same_sentence_quote,
    same_paragraph_quote,
    quote_paragraph_after_quote,
    recent_speaker,
)

# Rules whose proposal comes from a cue next to the quote (a later quote may inherit it).
CUE_RULES = ("cue_after", "cue_sentence_end", "cue_before", "cue_previous_sentence",
             "intro_paragraph", "intro_subject", "credit_line", "previous_paragraph_cue", "speech_noun", "headline", "label")
