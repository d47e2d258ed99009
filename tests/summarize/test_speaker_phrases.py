"""Phrase-level attribution cases, end to end: one made-up sentence per behaviour.

These exercise the phrase machinery the rules call (cue patterns, subjects and
appositives, name and pronoun resolution, labels, conventions) through the whole
pipeline, ranker included. Each rule on its own is tested in test_speaker_rules.py.
"""

from __future__ import annotations

from bot.summarize.quote_marks import find_quote_spans
from bot.summarize.quotes import extract_quotes
from bot.summarize.speaker_inheritance import previous_body as _previous_body
from bot.summarize.speaker_mentions import build_doc as _build_doc
from bot.summarize.speaker_tokens import Subject, Token


def _speakers(text: str) -> list[str | None]:
    return [q.speaker for q in extract_quotes(text)]


def test_capitalised_role_words_before_a_known_first_name_are_titles() -> None:
    text = '"We are ready," First Selectman David Okafor said.'
    assert _speakers(text) == ["David Okafor"]


def test_unlisted_title_then_pronoun() -> None:
    text = 'Harbormaster Sam Pike said the docks were closed.\n\n"The surge was high," he said.'
    assert _speakers(text) == ["Sam Pike"]


def test_appositive_chain_with_age_and_home_town() -> None:
    text = ('Donna Rawlings, 59, of Ashton, Md., who watched the ceremony, said the event '
            'brought back "memories of my father."')
    assert _speakers(text) == ["Donna Rawlings"]


def test_relative_that_before_a_titled_name() -> None:
    text = 'It was an explosion that Mayor Bill de Blasio described as "an intentional act."'
    assert _speakers(text) == ["Bill de Blasio"]


def test_document_speaker_and_it_continues_it() -> None:
    text = '"We support charter schools," the letter reads. "Our children deserve better," it added.'
    assert _speakers(text) == ["the letter", "the letter"]


def test_as_x_put_it_after_a_quote() -> None:
    assert _speakers('"This is a scandal," as a Homeland Security memo put it.') == [
        "a Homeland Security memo"]


def test_possessive_role_noun_speaker() -> None:
    assert _speakers('"It was a choice," the mayor\'s former campaign strategist said.') == [
        "the mayor's former campaign strategist"]
    assert _speakers('"It was a choice," Obama\'s former campaign strategist said.') == [
        "Obama's former campaign strategist"]


def test_gendered_role_noun_sets_gender() -> None:
    text = ('Mark Moss met Jo Strada on Monday.\n\n"They are wrong," said widow Jo Strada.\n\n'
            'Moss nodded, and Strada went on. "For us, this is justice," she said.')
    assert _speakers(text)[-1] == "Jo Strada"


def test_inverted_said_at_sentence_start() -> None:
    assert _speakers('The panel met on Monday. Said Ellis: "The code is too complicated."') == [
        "Ellis"]


def test_pronoun_follows_subject_of_indirect_speech() -> None:
    text = ('Johnnie Wilson, of Springfield, Va., said he had fought in Vietnam.\n\n'
            '"We made major contributions," he said.')
    assert _speakers(text) == ["Johnnie Wilson"]


def test_the_plus_capitalised_publication() -> None:
    assert _speakers('As The New Yorker put it, "a long road."') == ["New Yorker"]


def test_anonymous_role_with_the_is_not_resolved_to_a_person() -> None:
    text = ('Barack Obama was prepared. As a phone rang, the announcer said, '
            '"It is 3 a.m. and your children are asleep."')
    assert _speakers(text) == ["the announcer"]


def test_appositive_opening_with_the_is_skipped() -> None:
    text = ("Jean-Marc Ayrault, the foreign minister of France, a permanent member of the "
            "Security Council, said the test was a \"grave provocation.\"")
    assert _speakers(text) == ["Jean-Marc Ayrault"]


def test_of_capitalised_plural_noun_is_not_a_cue() -> None:
    text = ("PolitiFact rated 32% of Republican claims as \"false\" in its checks.")
    assert _speakers(text) != ["Republican"]


def test_pronoun_in_embedded_clause_refers_to_sentence_subject() -> None:
    text = ("Jean-Marc Ayrault said the test was a \"grave provocation.\"\n\n"
            "Secretary General Ban Ki-moon condemned what he called a \"brazen breach\" "
            "of resolutions.")
    assert _speakers(text)[1] == "Ban Ki-moon"


def test_quote_after_sentence_ending_in_cue_continues_that_speech() -> None:
    text = ("Kerry negotiates with Russia over Syria, Schiff said. \"That is wrong.\"")
    assert _speakers(text) == ["Schiff"]


def test_sentence_adverb_is_not_a_subject() -> None:
    text = "Conversely, Melissa Jones rated the plan as \"hopeless\" in her review."
    assert _speakers(text) != ["Conversely"]


def test_possessive_speech_noun_is_not_a_cue_for_the_next_sentence() -> None:
    text = ("Josh Earnest said at a briefing before Bill Clinton’s comments. “We disagree.”")
    assert _speakers(text) != ["Bill Clinton"]


def test_event_run_is_not_a_person_name() -> None:
    text = ("Crowds gathered for the Obama Speech in Washington on Saturday.\n\n"
            "\"It is about me,\" Mr. Obama said.")
    assert _speakers(text) == ["Obama"]


def test_place_is_not_a_pronoun_referent() -> None:
    text = ("Barack Obama condemned the nuclear test on Friday. North Korea said the test "
            "was a success.\n\n\"This is a grave provocation,\" he said.")
    assert _speakers(text) == ["Barack Obama"]


def test_party_adjective_before_a_noun_is_not_a_subject() -> None:
    text = ("With Democratic leaders increasingly worried about turnout, President Obama "
            "is rolling out a new message: \"It is about me.\"")
    assert _speakers(text) != ["Democratic"]


def test_party_adjective_description_refers_to_a_person() -> None:
    text = ("Donald Trump spoke in Virginia Beach on Monday.\n\n"
            "The Republican nominee also vowed to punish \"criminal hackers\" at home.")
    assert _speakers(text) == ["Donald Trump"]


def test_male_title_never_takes_a_female_full_name() -> None:
    text = ("Michelle Obama spoke first at the dinner.\n\n"
            "\"We must vote,\" Mr. Obama said.")
    assert _speakers(text) == ["Obama"]


def test_pronoun_tie_prefers_the_most_mentioned_person() -> None:
    story = ("Hillary Clinton campaigned in Ohio. Clinton attacked Donald Trump. Later, "
             "Clinton spoke in Florida.\n\n")
    tail = ("Jane Palmer said Clinton would return to Florida on Friday.\n\n"
            "\"We will win this state,\" she said.")
    assert _speakers(story + tail) == ["Hillary Clinton"]
    # Without the earlier mentions there is no salience edge: recency decides.
    assert _speakers(tail) == ["Jane Palmer"]


def test_org_word_in_a_title_does_not_make_the_person_an_org() -> None:
    text = ('House Speaker Jane Doe, R-Wis., despite admitting that she had doubts about '
            '"trial lawyers," backed the bill.')
    assert _speakers(text) == ["Jane Doe"]


def test_quote_ending_in_a_full_stop_ends_the_sentence() -> None:
    text = ('Norway called the launch "a reckless act." Sweden insisted that the tests '
            '"must stop."')
    assert _speakers(text) == ["Norway", "Sweden"]


def test_prepositional_phrase_after_a_quote_keeps_the_trailing_cue() -> None:
    text = ('Senator Ann Roe criticised the bank.\n\n'
            '"Nothing will change until executives face jail time" for fraud, she said.')
    assert _speakers(text) == ["Ann Roe"]


def test_party_state_parenthetical_between_name_and_cue() -> None:
    text = ('"They would just go get them," Rep. Tom Vale (R-Ohio), a panel member, said.')
    assert _speakers(text) == ["Tom Vale"]


def test_prepositional_post_modifier_is_not_the_speaker() -> None:
    text = '"It was the least bad outcome," Mr. Lund of the Harbor Trust said.'
    assert _speakers(text) == ["Lund"]


def test_secretary_of_state_title_is_not_part_of_the_name() -> None:
    text = 'Secretary of State Mark Ellison said the allies would take "robust steps."'
    assert _speakers(text) == ["Mark Ellison"]


def test_headline_full_name_gives_the_body_surname_a_gender() -> None:
    text = ("Maria Santos Takes Aim At Her Rival In Debate\n\n"
            "Santos spoke first on Monday night. She then went after her opponent.\n"
            '"Why won\'t he release his records?" she said.')
    assert _speakers(text) == ["Santos"]


def test_opening_participle_is_not_a_name() -> None:
    text = 'Bemoaning their luck, Canadians often joke about "the curse of the winter."'
    assert _speakers(text) == ["Canadians"]


def test_lone_capitalised_opener_is_never_a_confident_name() -> None:
    """"Poor" is the only candidate here: the ranker scores it about 0.18, in the band
    the trainer's abstention rule finds right about half the time (0.1-0.2, see
    docs/speakers.md), so whether it abstains depends on that rule's coin toss;
    what must hold is that no digest ever shows it."""
    from bot.summarize.quoting import find_quotes

    text = ('Critics piled on.\n\nPoor thing actually believes she was hired for "brains" '
            'alone.')
    quotes, key = find_quotes(text, 2)
    assert all(q.speaker is None or q.speaker_confidence < 0.3 for q in quotes)
    assert all(q.speaker is None for q in key)


def test_gerund_with_a_name_object_is_not_the_subject() -> None:
    text = 'Watching Ellison sing "Blue River" is a joy, the critic wrote.'
    assert _speakers(text)[0] != "Watching Ellison"


def test_role_noun_between_adjective_and_name() -> None:
    text = ('Democratic presidential nominee Ann Roe chimed in on Twitter, saying the city '
            'should release the videos "without delay."')
    assert _speakers(text) == ["Ann Roe"]


def test_capitalised_modifier_of_a_group_noun() -> None:
    text = 'Small groups of protesters marched on, chanting "Hands up, don\'t shoot."'
    assert _speakers(text) == ["Small groups"]


def test_transcript_label_after_an_opening_quote_mark() -> None:
    text = ('"HOLT: But, Governor, as the "Daily Ledger" wrote, voters worry about it. '
            'So why bring it up?')
    assert _speakers(text) == ["Holt"]


def test_bare_say_with_a_plural_subject() -> None:
    assert _speakers('"The plan will fail," critics say.') == ["critics"]


def test_past_read_after_a_document() -> None:
    text = ('"The mayor has restored the city\'s finances," the editorial read.')
    assert _speakers(text) == ["the editorial"]


def test_inverted_cue_needs_punctuation_after_the_quote() -> None:
    text = ('City Attorney Brad Kell said in the letter that the ad "wrongfully" suggests '
            'that Tucson supports the campaign.')
    assert _speakers(text) == ["Brad Kell"]


def test_headline_name_on_topic_label() -> None:
    text = ("Obama on Trade: The Deal Is 'Essential'\n\n"
            "Mr. Obama said on Friday that the pact would help workers.")
    assert _speakers(text) == ["Obama"]


def test_home_state_phrase_after_the_embedding_subject() -> None:
    text = ('Gov. Earl Tamm of West Virginia lauded the company for helping develop '
            '"new and innovative ideas."')
    assert _speakers(text) == ["Earl Tamm"]


def test_slash_date_is_one_token_before_a_role_noun() -> None:
    text = '"They are 100 percent wrong," said 9/11 widow Carol Reyes.'
    assert _speakers(text) == ["Carol Reyes"]


def test_second_quote_in_the_same_sentence_shares_the_cue() -> None:
    text = ('Tom Hale praised the mayor.\n\n'
            'He said that Ann Roe\'s "only experience" was her "reckless" plan.')
    assert _speakers(text) == ["Tom Hale", "Tom Hale"]


def test_possessive_name_before_the_speaking_role() -> None:
    text = ('Libertarian presidential candidate Gary Lowe\'s doctor is calling the candidate '
            '"extremely fit."')
    speakers = _speakers(text)
    assert speakers[0] is not None and speakers[0].endswith("doctor")


def test_definite_description_with_adjectives() -> None:
    text = ("Donald Trump spoke in Ohio on Monday.\n\n"
            "The Republican presidential nominee has wondered whether the moderators "
            "will be \"fair\" to him.")
    assert _speakers(text) == ["Donald Trump"]


def test_modal_cue_with_an_adverb() -> None:
    text = 'A reader would now ask: "What is this network?"'
    assert _speakers(text) == ["A reader"]


def test_modal_cue_in_a_reported_clause_is_not_the_cue() -> None:
    text = ('WASHINGTON -- President Obama, opening the museum on Saturday, said it would tell '
            'a story of "suffering and delight."')
    assert _speakers(text) == ["Obama"]


def test_plural_noun_form_of_a_cue_verb() -> None:
    text = ('With leaders worried about turnout in the swing states, President Obama is '
            'rolling out a new message: "It\'s about me."')
    assert _speakers(text) == ["Obama"]


def test_cue_less_quote_after_a_sentence_about_a_person() -> None:
    text = ('On "Meet the Press," Sen. Ann Roe (Vt.) singled out young voters as a reason '
            'for hope. "They are sick and tired of it."')
    assert _speakers(text)[-1] == "Ann Roe"


def test_subject_after_an_opening_participle_phrase() -> None:
    text = 'Bemoaning the "rigged system," Trump accused the moderator of bias.'
    assert _speakers(text) == ["Trump"]


def test_it_refers_to_a_body_opening_the_sentence() -> None:
    text = ('The Security Council on Friday condemned the test and pledged sanctions as a '
            'response to what it called "a clear threat to peace."')
    assert _speakers(text) == ["Security Council"]


def test_what_they_call_refers_to_a_group_subject() -> None:
    text = ('Clinton\'s campaign is seeking to contrast her plan with what they call '
            'Trump\'s "self-centered message."')
    assert _speakers(text) == ["Clinton's campaign"]


def test_it_said_lookup_keeps_the_mention_offsets() -> None:
    # "it said" (no named body to resolve) must set up the mention offsets along with
    # the person names, or a later "he said" scans every mention of the article.
    text = ('Jean Roux said the test was "a provocation."\n\n'
            '"It is a threat," it said in a statement.')
    spans = find_quote_spans(text)
    doc = _build_doc(text, spans)
    subj = Subject("pronoun", [Token("it", 60, 62)], 60)
    _previous_body(doc, spans, ["Jean Roux", None], [True, False], 1, subj)
    assert doc.mention_starts == [m.start for m in doc.mentions]


def test_pronoun_refers_to_the_paragraph_topic() -> None:
    text = ('"Production will improve," said Phil Smith, a union spokesman.\n\n'
            'Ultimately, Mr. Clarke hopes to offset the emissions. But right now, he is '
            'offsetting only 10 percent. "It\'s all I can afford," he said.')
    assert _speakers(text) == ["Phil Smith", "Clarke"]


def test_gendered_description_resolves_to_a_compatible_person() -> None:
    text = ("The mayor introduced Donald Trump. Then Hillary Clinton spoke.\n\n"
            '"We need change," the businessman said.')
    assert _speakers(text) == ["Donald Trump"]


def test_possessive_plural_noun_is_a_group_speaker() -> None:
    text = 'His surrogates called him "a genius" for the plan.'
    assert _speakers(text) == ["His surrogates"]


def test_wire_dateline_before_the_subject() -> None:
    text = ('FLINT, Mich., Oct. 4 (UPI) — Former President Bill Clinton criticized the law '
            'as a "crazy system" during a stop.')
    assert _speakers(text) == ["Bill Clinton"]


def test_group_subject_of_a_scare_quote() -> None:
    text = ('In August, several environmental groups granted the company an extension, '
            'saying its "capital was less than expected."')
    assert _speakers(text) == ["several environmental groups"]


def test_role_appositive_with_an_organisation() -> None:
    text = ('Michael Grant, president of the United Federation of Nurses, which represents '
            'city nurses, said he hopes the day sends a message that "nurses are standing up."')
    assert _speakers(text) == ["Michael Grant"]


def test_manner_adverb_between_subject_and_cue() -> None:
    text = ('In a panel, Marc H. Lowell, the head of the league, forcefully told a woman who '
            'suggested that people may stay home that "not voting is not a strategy."')
    assert _speakers(text) == ["Marc H. Lowell"]


def test_possessive_noun_is_not_a_cue() -> None:
    text = ('With 50 days to go, Minyon Reed, a senior adviser, called Mr. Obama\'s remarks '
            '"a true wake-up call."')
    assert _speakers(text) == ["Minyon Reed"]


def test_long_introductory_phrase_before_the_subject() -> None:
    text = ('With Democratic leaders increasingly worried about a lack of passion among young '
            'voters in the swing states, President Obama is rolling out a new message: '
            '"It\'s about me."')
    assert _speakers(text) == ["Obama"]


def test_sentence_opening_gerund_is_not_a_first_name() -> None:
    text = ('The singer Don McLean played for an hour. Watching McLean perform, the crowd sang. '
            '"It still means everything to me," he said.')
    assert _speakers(text) == ["Don McLean"]


def test_a_relative_with_another_first_name_does_not_share_his_gender() -> None:
    # Keith Lamont Scott is a man; Rakeyia Scott (unknown given name) is someone else,
    # so "she" may refer to her.
    text = ("Keith Lamont Scott was shot by police on Tuesday.\n\n"
            "The video shows an officer aiming a gun at Scott. Rakeyia Scott can be heard "
            "yelling that her husband was unarmed.\n\n"
            '"Don\'t shoot him," she says. "He has no weapon."')
    assert _speakers(text) == ["Rakeyia Scott", "Rakeyia Scott"]


def test_a_verdict_verb_attributes_the_rating() -> None:
    text = ('FactCheck Weekly rated the senator\'s claim "mostly false." Judge Ann Roe '
            'ruled that the search was "plainly unlawful."')
    assert _speakers(text) == ["FactCheck Weekly", "Ann Roe"]


def test_ruled_out_is_not_a_verdict() -> None:
    text = ('Minister Lars Berg said a delay was "out of the question"; an exit could no '
            'longer be ruled out.')
    assert _speakers(text) == ["Lars Berg"]


def test_an_outlet_in_the_possessive_before_a_full_name_is_an_affiliation() -> None:
    text = ('"We need change," said Sean Spicer, a party strategist.\n\n'
            "Debates are not likely to alter the race, noted NBC's Dante Chinni.\n\n"
            '"Debates happen late in the campaign," he wrote.')
    assert _speakers(text) == ["Sean Spicer", "Dante Chinni"]


def test_a_source_introduced_by_name_and_role_owns_the_next_quote() -> None:
    text = ('"It is pandering," Bryan Anderson said.\n\n'
            'Songs have not been written for Clinton, which is something that concerns '
            'Henry Crespo, president of the Florida Democratic Black Caucus.\n\n'
            '"No one is writing songs for Hillary," he said.')
    assert _speakers(text) == ["Bryan Anderson", "Henry Crespo"]


def test_a_dash_credit_may_carry_a_middle_initial() -> None:
    text = '"He is the most unqualified candidate ever." ― Julie A. Diaz Martinez.'
    assert _speakers(text) == ["Julie A. Diaz Martinez"]


def test_a_name_run_never_spans_a_quote() -> None:
    text = ('Judge Ona Petrov said Voss "cannot be trusted." Lena Voss denied it.\n\n'
            '"That is false," Voss said.')
    assert _speakers(text)[-1] == "Lena Voss"


def test_a_full_name_after_any_description_is_the_speaker() -> None:
    text = '"It was never meant to be," said Republican political consultant Ivo Brandt.'
    assert _speakers(text) == ["Ivo Brandt"]


def test_a_name_before_an_unclosed_description_is_the_speaker() -> None:
    text = 'Ivo Brandt, president and CEO of Harbor Freight Lines stated, "Costs went up."'
    assert _speakers(text) == ["Ivo Brandt"]
