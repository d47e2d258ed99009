"""Each attribution rule on its own, with made-up sentences.

A rule only proposes; these tests check what each proposes for one quote site
(and that it stays quiet where it does not apply). The ranker that chooses among
the proposals is tested in test_speaker_model.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.summarize import speaker_rules as R
from bot.summarize.quote_marks import find_quote_spans
from bot.summarize.speaker_context import Attribution, Prepared, prepare


def _ctx(text: str) -> Prepared:
    return prepare(text, find_quote_spans(text))


def _proposed(rule: R.Rule, text: str, index: int = 0,
              earlier: Sequence[Attribution] = ()) -> list[tuple[str, str]]:
    ctx = _ctx(text)
    return [(p.speaker, p.rule) for p in rule(ctx, ctx.sites[index], list(earlier))]


def _said(*speakers: str | None) -> list[Attribution]:
    return [Attribution(s, 0.9, "cue_after.name", s is not None) for s in speakers]


def test_every_rule_is_named_and_has_a_docstring() -> None:
    assert len({r.__name__ for r in R.RULES}) == len(R.RULES)
    assert all(r.__doc__ for r in R.RULES)


def test_cue_after_quote() -> None:
    text = 'Lena Voss arrived.\n\n"The vote is close," Voss told reporters.'
    assert _proposed(R.cue_after_quote, text) == [("Lena Voss", "cue_after.name")]
    inverted = '"The vote is close," said Omar Haddad, a spokesman.'
    assert _proposed(R.cue_after_quote, inverted) == [("Omar Haddad", "cue_after.name")]
    # a full stop ends the quote's sentence: what follows is not its cue
    ended = 'Rivers called it "a fine plan." Omar Haddad said it would fail.'
    assert _proposed(R.cue_after_quote, ended) == []


def test_cue_after_quote_pronoun_is_resolved_three_ways() -> None:
    text = ('"We will appeal," Nora Quist said.\n\n'
            '"The ruling is wrong," she said.')
    got = _proposed(R.cue_after_quote, text, 1, _said("Nora Quist"))
    assert ("Nora Quist", "cue_after.pronoun") in got
    assert ("Nora Quist", "cue_after.pronoun_previous_speaker") in got


def test_cue_before_quote() -> None:
    text = 'Governor Aldo Ruiz said: "Schools reopen Monday."'
    assert _proposed(R.cue_before_quote, text) == [("Aldo Ruiz", "cue_before.name")]
    scare = 'Aldo Ruiz called the budget "a fantasy."'
    assert _proposed(R.cue_before_quote, scare) == [("Aldo Ruiz", "cue_before.name")]


def test_cue_previous_sentence() -> None:
    text = 'Mayor Ines Lund spoke at noon. Ines Lund said. "We rebuild."'
    assert ("Ines Lund", "cue_previous_sentence.name") in _proposed(R.cue_previous_sentence, text)


def test_intro_paragraph_cue() -> None:
    text = ('Pavel Orlov said:\n\n'
            '"We will not retreat from this reform."')
    assert _proposed(R.intro_paragraph_cue, text) == [("Pavel Orlov", "intro_paragraph.name")]
    # a quote that does not open its paragraph is not introduced by the one before
    assert _proposed(R.intro_paragraph_cue, 'Pavel Orlov said:\n\nHe left. "No more."') == []


def test_speech_noun() -> None:
    text = 'Critics mocked Dana Holt\'s claim that the plan was "fully funded."'
    assert ("Dana Holt", "speech_noun.name") in _proposed(R.speech_noun, text)


def test_headline_label() -> None:
    text = ('Vance Reed Says Tariffs Are \'A Gift\'\n\n'
            'Senator Vance Reed spoke in Ohio on Monday about trade.')
    assert _proposed(R.headline_label, text) == [("Vance Reed", "headline")]


def test_transcript_label() -> None:
    text = 'HOST: Welcome back.\n\nMILLER: "We never saw the memo."'
    got = _proposed(R.transcript_label, text)
    assert got and got[0][1].startswith("label.")
    assert _proposed(R.transcript_label, '"We never saw the memo," Miller said.') == []


def test_sentence_subject() -> None:
    text = 'Pavel Orlov met Dana Holt. Orlov thinks the plan is "a fantasy" and a trap.'
    assert _proposed(R.sentence_subject, text) == [("Pavel Orlov", "sentence_subject.name")]


def test_previous_sentence() -> None:
    text = ('Sen. Rita Vale visited the shelter on Sunday. "We are full."')
    got = _proposed(R.previous_sentence, text)
    assert got and got[0][0] == "Rita Vale"


def test_people_in_sentence_proposes_each_name_with_its_side() -> None:
    text = 'After Tom Ash spoke, "the room went quiet," Lisa Marsh recalled.'
    got = _proposed(R.people_in_sentence, text)
    assert ("Tom Ash", "sentence_mention.before") in got
    assert ("Lisa Marsh", "sentence_mention.after") in got


def test_continued_quote() -> None:
    text = ('"The first part of the plan is simple,\n\n'
            '"and the second part is harder," Ada Byre said.')
    ctx = _ctx(text)
    assert ctx.sites[1].span.continues_previous
    assert _proposed(R.continued_quote, text, 1, _said("Ada Byre")) == [
        ("Ada Byre", "continued_quote")]
    assert _proposed(R.continued_quote, text, 1, _said(None)) == []


def test_continued_by_next() -> None:
    text = ('"The first part of the plan is simple,\n\n'
            '"and the second part is harder," Ada Byre said.')
    assert _proposed(R.continued_by_next, text, 0) == [("Ada Byre", "continued_quote.next_cue")]
    assert _proposed(R.continued_by_next, text, 1) == []


def test_same_sentence_quote() -> None:
    text = 'Ada Byre called the bill "reckless" and "cruel" in a speech.'
    assert _proposed(R.same_sentence_quote, text, 1, _said("Ada Byre")) == [
        ("Ada Byre", "same_sentence_quote")]
    two = 'Ada Byre called it "reckless." Her rival called it "brave."'
    assert _proposed(R.same_sentence_quote, two, 1, _said("Ada Byre")) == []


def test_same_paragraph_quote() -> None:
    text = '"We are ready," Ada Byre said. "The vote is Tuesday."'
    assert _proposed(R.same_paragraph_quote, text, 1, _said("Ada Byre")) == [
        ("Ada Byre", "same_paragraph_quote")]
    other = '"We are ready," Ada Byre said.\n\n"The vote is Tuesday."'
    assert _proposed(R.same_paragraph_quote, other, 1, _said("Ada Byre")) == []


def test_quote_paragraph_after_quote() -> None:
    text = '"We are ready," Ada Byre said.\n\n"The vote is Tuesday."'
    assert _proposed(R.quote_paragraph_after_quote, text, 1, _said("Ada Byre")) == [
        ("Ada Byre", "quote_paragraph_after_quote")]
    prose = '"We are ready," Ada Byre said.\n\nThe vote is "on Tuesday" now.'
    assert _proposed(R.quote_paragraph_after_quote, prose, 1, _said("Ada Byre")) == []


def test_recent_speaker_offers_the_last_two_distinct_speakers() -> None:
    text = ('"One," Ada Byre said.\n\n"Two," Ben Carr said.\n\n"Three," Ada Byre said.\n\n'
            'Then came "four."')
    got = _proposed(R.recent_speaker, text, 3, _said("Ada Byre", "Ben Carr", "Ada Byre"))
    assert got == [("Ada Byre", "recent_speaker"), ("Ben Carr", "recent_speaker.second")]


def test_rules_do_not_change_the_prepared_document() -> None:
    text = ('Senator Ida Moss met Governor Paul Kent.\n\n'
            '"We agree," she said. "Mostly," he said.\n\n"Fine," Kent added.')
    ctx = _ctx(text)
    before = (list(ctx.doc.mentions), set(ctx.doc.confident), dict(ctx.full_names))
    for site in ctx.sites:
        for rule in R.RULES:
            rule(ctx, site, _said(*["Ida Moss"] * site.index))
    assert (list(ctx.doc.mentions), set(ctx.doc.confident), dict(ctx.full_names)) == before


def test_a_description_of_an_organisation_is_given_as_the_organisation() -> None:
    text = ('NASA launched the probe on Monday.\n\n'
            '"We are thrilled with the launch," the American space agency said.')
    assert _proposed(R.cue_after_quote, text) == [("NASA", "cue_after.np")]
    alone = '"We are thrilled with the launch," the space agency said.'
    assert _proposed(R.cue_after_quote, alone) == [("the space agency", "cue_after.np")]


def test_cue_verb_forms_are_spelled_as_english_spells_them() -> None:
    from bot.summarize.quote_names import CUE_FORMS

    for form in ("admitted", "admitting", "dubbed", "concurred", "quipped", "disagreeing",
                 "said", "insisted", "testified", "argues"):
        assert form in CUE_FORMS, form
    for wrong in ("admited", "dubed", "concured", "disagreing"):
        assert wrong not in CUE_FORMS, wrong


def test_cue_ending_sentence() -> None:
    text = ('Her plan would bring "real money" and "new jobs" to the valley, '
            'county spokesman Ivo Brandt said.')
    assert _proposed(R.cue_ending_sentence, text) == [("Ivo Brandt", "cue_sentence_end.name")]
    later = 'Tolls are "a tax by another name," as Ruiz put it in May, Nadia Sole added.'
    assert ("Nadia Sole", "cue_sentence_end.name") in _proposed(R.cue_ending_sentence, later)
    # the clause right after the quote is cue_after_quote's; a closed sentence has none
    assert _proposed(R.cue_ending_sentence, '"It is late," Ivo Brandt said.') == []
    assert _proposed(R.cue_ending_sentence, 'She called it "late." Ivo Brandt said no.') == []


def test_a_surname_expands_to_the_full_name_ending_with_it() -> None:
    # "Brandt Partners Enhanced" starts with the surname; the person is Ivo Brandt
    text = ('Ivo Brandt runs the fund. Brandt Partners Enhanced lost money.\n\n'
            '"We will recover," Mr. Brandt said.')
    assert _proposed(R.cue_after_quote, text) == [("Ivo Brandt", "cue_after.name")]


def test_cue_before_quote_takes_the_appositive_name_of_a_description() -> None:
    text = 'The mayor\'s lawyer, Nadia Sole, argued that the fine was "plainly unlawful."'
    assert _proposed(R.cue_before_quote, text) == [("Nadia Sole", "cue_before.name")]


def test_a_participle_cue_skips_a_short_opener_to_the_subject() -> None:
    text = ('Hours later, Ivo Brandt returned the favour, telling reporters, '
            '"We are friends."')
    assert _proposed(R.cue_before_quote, text) == [("Ivo Brandt", "cue_before.name")]
    place = 'Here in Columbia, Nadia Sole stepped up her attacks, saying, "It is time."'
    assert _proposed(R.cue_before_quote, place) == [("Nadia Sole", "cue_before.name")]


def test_a_plural_possessive_noun_is_no_cue() -> None:
    # "Sanders' comments": the apostrophe makes "comments" a noun, not Sanders' verb.
    text = ("Nadia Sole was not impressed with Ivo Sanders' comments Tuesday, telling "
            'reporters, "It is time."')
    assert _proposed(R.cue_before_quote, text) == [("Nadia Sole", "cue_before.name")]


def test_a_title_word_with_a_full_stop_ends_its_sentence() -> None:
    # "the Islamic State. Rubio ...": "State." is no abbreviation like "Gov.".
    ctx = _ctx('She spoke of the Islamic State. Ivo Brandt called it "a menace."')
    assert [m.text for m in ctx.doc.mentions] == ["Islamic State", "Ivo Brandt"]
    assert ctx.sites[0].sentence_start > ctx.text.index("State")


def test_the_state_of_a_home_town_is_not_the_subject() -> None:
    text = 'Lena Voss of Columbia, South Carolina says she expects "a long night."'
    assert _proposed(R.cue_before_quote, text) == [("Lena Voss", "cue_before.name")]


def test_a_participle_cue_skips_an_opening_phrase_with_a_town_and_a_day() -> None:
    text = ('At a rally in Portsmouth, N.H., on Tuesday, Senator Ivo Brandt endorsed '
            'her, saying she would "make a fine president."')
    assert _proposed(R.cue_before_quote, text) == [("Ivo Brandt", "cue_before.name")]


def test_a_cue_in_an_opening_subordinate_clause_is_not_the_quotes() -> None:
    text = ('Ivo Brandt and Lena Voss met. When Brandt suggested that the deal would '
            'fail, Voss fired back: "It will not."')
    assert _proposed(R.cue_before_quote, text) == []
    assert _proposed(R.sentence_subject, text) == [("Lena Voss", "sentence_subject.name")]
    own = 'As Lena Voss said, "It will not."'
    assert _proposed(R.cue_before_quote, own) == [("Lena Voss", "cue_before.name")]


def test_a_coordinated_cue_takes_its_clauses_subject() -> None:
    text = 'Lena Voss paused for a moment and said, "We will win this."'
    assert _proposed(R.cue_before_quote, text) == [("Lena Voss", "cue_before.name")]
    text = ('Ivo Brandt used to back Rand Paul, but now said Trump had "the duty to '
            'unite us."')
    assert _proposed(R.cue_before_quote, text) == [("Ivo Brandt", "cue_before.name")]


def test_a_capitalised_word_before_a_participle_cue_is_its_object() -> None:
    text = ('Ivo Brandt tweeted back at Trump pointing out the irony: '
            '"Your plan splits families."')
    assert _proposed(R.cue_before_quote, text) == [("Ivo Brandt", "cue_before.name")]
    absolute = 'The talks ended, with Lena Voss saying, "We will be back."'
    assert _proposed(R.cue_before_quote, absolute) == [("Lena Voss", "cue_before.name")]


def test_cue_verbs_seen_in_training_quotes() -> None:
    text = 'Lena Voss answered, "Not this year."'
    assert _proposed(R.cue_before_quote, text) == [("Lena Voss", "cue_before.name")]
    text = '"France will always be France," Ivo Brandt echoed.'
    assert _proposed(R.cue_after_quote, text) == [("Ivo Brandt", "cue_after.name")]


def test_an_inline_label_right_before_the_quote() -> None:
    text = ('Lena Voss and Ivo Brandt reject the idea.\n\nVoss: "We will defeat it." '
            'Brandt: "We will destroy it."')
    assert _proposed(R.transcript_label, text, 0) == [("Lena Voss", "label.name")]
    assert _proposed(R.transcript_label, text, 1) == [("Ivo Brandt", "label.name")]
    pair = 'Polls miss turnout - Ann Lee and Jim Harter: "We found a pattern."'
    assert _proposed(R.transcript_label, pair) == [("Jim Harter", "label.name")]


def test_credit_line_after_a_quoted_paragraph() -> None:
    text = ('Lena Voss spoke.\n\n"I helped write that bill."\n\n- Voss.\n\n'
            '"It needs to stop."\n\n-Ivo Brandt, Philadelphia.')
    assert _proposed(R.credit_line_after, text, 0) == [("Lena Voss", "credit_line.name")]
    assert _proposed(R.credit_line_after, text, 1) == [("Ivo Brandt", "credit_line.name")]
    plain = '"It needs to stop."\n\nThe debate went on.'
    assert _proposed(R.credit_line_after, plain) == []


def test_intro_paragraph_subject_without_a_speech_verb() -> None:
    text = ('In response, Lena Voss issued the following statement:\n\n'
            '"Our prayers are with all those affected."')
    assert _proposed(R.intro_paragraph_subject_rule, text) == [
        ("Lena Voss", "intro_subject.name")]
    assert _proposed(R.intro_paragraph_subject_rule, 'It rained.\n\n"Wet."') == []


def test_a_description_then_an_appositive_name_opens_the_sentence() -> None:
    text = ("In early October, Voss's state director, Ivo Brandt, reached out, "
            'writing in an email: "We want this soon."')
    assert _proposed(R.cue_before_quote, text) == [("Ivo Brandt", "cue_before.name")]


def test_an_absolute_clause_subject_past_an_adverb() -> None:
    text = 'Fans booed, with Lena Voss reportedly yelling: "Get out!"'
    assert _proposed(R.cue_before_quote, text) == [("Lena Voss", "cue_before.name")]


def test_the_agent_of_a_passive_cue() -> None:
    text = 'Lena Voss was asked by host Ivo Brandt, "Are you tired of it?"'
    assert _proposed(R.cue_before_quote, text) == [("Ivo Brandt", "cue_before.name")]


def test_an_opening_of_phrase_is_no_home_town() -> None:
    text = 'Of Brandt, Lena Voss, who backs Rand Paul, said, "He is scary."'
    assert _proposed(R.cue_before_quote, text) == [("Lena Voss", "cue_before.name")]


def test_previous_paragraph_reports_the_speaker() -> None:
    text = ('Lena Voss met Ivo Brandt.\n\nThen, in 2017, Brandt said that 100,000 would '
            'come.\n\n"That adds up to a lot."')
    assert _proposed(R.previous_paragraph, text) == [("Ivo Brandt", "previous_paragraph_cue.name")]
    subject = ("Lena Voss met Ivo Brandt.\n\nVoss wants voters to stay home.\n\n"
               '"The vote is a sham."')
    assert _proposed(R.previous_paragraph, subject) == [("Lena Voss", "previous_paragraph.name")]
    quoted = 'Lena Voss spoke.\n\nVoss called it "a sham."\n\n"It is."'
    assert _proposed(R.previous_paragraph, quoted) == []


def test_an_appositive_subject_after_an_introductory_phrase() -> None:
    text = 'After winning Ohio, Gov. Ivo Brandt (R-OH), said, "I am getting ready."'
    assert _proposed(R.cue_before_quote, text) == [("Ivo Brandt", "cue_before.name")]


def test_an_introductory_phrase_with_an_appositive() -> None:
    text = ('In his 2004 speech, a tribute to Lena Voss, the nominee that year, Mr. Brandt '
            'decried the "spin masters."')
    assert _proposed(R.sentence_subject, text) == [("Brandt", "sentence_subject.name")]


def test_a_participle_opener_ending_in_a_place() -> None:
    text = ('Lena Voss trails. Speaking at a town hall in Salem, New Hampshire, Ivo Brandt '
            'went after Voss, calling her "a total stiff."')
    assert _proposed(R.cue_before_quote, text) == [("Ivo Brandt", "cue_before.name")]


def test_cue_ending_sentence_past_an_appositive() -> None:
    text = ('But Lena Voss would do well to begin "building bridges" to Mr. Holt, said '
            'Ivo Brandt, a former senior strategist for the campaign.')
    assert ("Ivo Brandt", "cue_sentence_end.name") in _proposed(R.cue_ending_sentence, text)


def test_here_is_a_speaker_label() -> None:
    text = 'Lena Voss spoke.\n\nHere’s Voss in December 1992: "Our direction must change."'
    assert _proposed(R.transcript_label, text) == [("Lena Voss", "label.name")]


def test_a_capitalised_determiner_in_a_programme_name_before_the_subject() -> None:
    text = '"It was the first time," CBS This Morning co-anchor Ivo Brandt said.'
    assert _proposed(R.cue_after_quote, text) == [("Ivo Brandt", "cue_after.name")]


def test_a_possessor_before_a_name_is_not_the_speaker() -> None:
    text = '"There are values," the Union Party’s Ivo Brandt told the AP.'
    assert _proposed(R.cue_after_quote, text) == [("Ivo Brandt", "cue_after.name")]
    subject = ('Lena Voss wrote. The New Republic’s Lena Voss sees the piece as a return '
               'to "aristocratic conservatism," which has been hidden.')
    assert _proposed(R.sentence_subject, subject) == [("Lena Voss", "sentence_subject.name")]


def test_an_as_clause_with_a_cue_is_the_quotes_cue() -> None:
    text = 'As The Post’s Lena Voss puts it, Brandt is making "an offer they must take."'
    assert _proposed(R.cue_before_quote, text) == [("Lena Voss", "cue_before.name")]


def test_a_subject_with_a_home_state_and_an_appositive() -> None:
    text = ('Senator Ivo Brandt of Maryland, a Democrat on the committee, advocates a '
            '"progressive consumption tax."')
    assert _proposed(R.sentence_subject, text) == [("Ivo Brandt", "sentence_subject.name")]


def test_a_title_and_department_before_the_name() -> None:
    text = ('Former Secretary of State Lena Voss recently urged women to vote, saying, '
            '"There is a special place in hell."')
    assert _proposed(R.cue_before_quote, text) == [("Lena Voss", "cue_before.name")]


def test_a_name_set_off_by_dashes() -> None:
    text = ('A former candidate -- Ivo Brandt, who lost in 2008 -- said the plan '
            '"offered no changes."')
    assert _proposed(R.cue_before_quote, text) == [("Ivo Brandt", "cue_before.name")]


def test_an_introductory_phrase_after_a_focus_adverb() -> None:
    text = ("Lena Voss spoke. Even before Voss' remarks about him, Mr. Brandt had "
            'criticized her as "a political person."')
    assert _proposed(R.sentence_subject, text) == [("Brandt", "sentence_subject.name")]


def test_cite_is_a_cue() -> None:
    text = 'Lena Voss cites the union, "the placards carried by marchers."'
    assert _proposed(R.cue_before_quote, text) == [("Lena Voss", "cue_before.name")]
