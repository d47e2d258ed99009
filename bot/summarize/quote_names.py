"""Word lists for rule-based speaker attribution: cue verbs, titles, names.

Kept apart from the logic so the lists can grow without touching the rules.
Everything here is lower-case unless stated otherwise.
"""

from __future__ import annotations

_CUE_LEMMAS = ["say", "tell", "add", "ask", "explain", "warn", "write", "tweet", "note", "insist", "argue", "claim", "continue", "recall", "reply", "state", "declare", "acknowledge", "admit", "announce", "respond", "remark", "observe", "suggest", "emphasize", "emphasise", "stress", "joke", "quip", "complain", "concede", "counter", "predict", "promise", "vow", "urge", "charge", "contend", "maintain", "post", "shout", "yell", "testify", "confirm", "muse", "lament", "boast", "assert", "reiterate", "caution", "allege", "recount", "describe", "call", "dub", "label", "write", "report", "retort", "scoff", "sigh", "whisper", "exclaim", "plead", "concur", "agree", "disagree", "conclude", "begin", "start", "point", "demand", "chant", "proclaim", "comment", "scold", "read", "put", "brand", "liken", "hail", "sing", "rate", "rule",
               # seen as cues of direct quotes in the PolNeAR train split
               "answer", "mock", "assure", "wonder", "interject", "confess", "echo", "opine",
               "bark", "boom", "cite"]

_IRREGULAR = {
    "say": ("said", "says", "saying"),
    "tell": ("told", "tells", "telling"),
    "write": ("wrote", "writes", "writing", "written"),
    "begin": ("began", "begins"),
    "agree": ("agreed", "agrees"),
    "read": ("reads",),  # "the letter reads"; bare "read" is too often a command
    "put": ("put", "puts"),  # only "as X put it" (see PHRASAL)
    "sing": ("sang", "sings", "sung", "singing"),
    "chant": ("chanted", "chants", "chanting"),
    # Verdicts ("PolitiFact rated the claim "false"", "the judge ruled"); only the past
    # tense: "rates" and "rules" are far more often nouns.
    "rate": ("rated",),
    "rule": ("ruled",),
    "echo": ("echoed", "echoes", "echoing"),
}


# Verbs stressed on a final consonant-vowel-consonant double it (admitted, dubbed).
_DOUBLING = frozenset({"admit", "concur", "dub", "quip"})


def _forms(lemma: str) -> set[str]:
    if lemma in _IRREGULAR:
        return set(_IRREGULAR[lemma])
    if lemma.endswith("ee"):  # agreed, agreeing
        past, third, ing = lemma + "d", lemma + "s", lemma + "ing"
    elif lemma.endswith("e"):
        past, third, ing = lemma + "d", lemma + "s", lemma[:-1] + "ing"
    elif lemma.endswith("y") and lemma[-2] not in "aeiou":
        past, third, ing = lemma[:-1] + "ied", lemma[:-1] + "ies", lemma + "ing"
    elif lemma in _DOUBLING:
        past, third, ing = lemma + lemma[-1] + "ed", lemma + "s", lemma + lemma[-1] + "ing"
    else:
        past, third, ing = lemma + "ed", lemma + "s", lemma + "ing"
    if lemma.endswith(("sh", "ch", "ss")):
        third = lemma + "es"
    return {past, third, ing}


CUE_FORMS: dict[str, str] = {}
for _lemma in _CUE_LEMMAS:
    for _form in _forms(_lemma):
        CUE_FORMS[_form] = _lemma
# Participles ("saying", "adding") have no subject of their own.
PARTICIPLES = {f for f in CUE_FORMS if f.endswith("ing")}
# Cues that only count when followed by a particle ("pointed out", "went on").
PHRASAL = {"point": "out", "begin": "", "start": "", "put": "it"}

AUX_ADVERBS = set(
    ["also", "later", "then", "has", "had", "have", "would", "will", "could", "may", "might", "once", "again", "just", "further", "simply", "reportedly", "previously", "recently", "earlier", "repeatedly", "often", "frequently", "quickly", "quietly", "flatly", "publicly", "privately", "bluntly", "angrily", "calmly", "sharply", "jokingly", "openly", "proudly", "did", "does", "do", "was", "is", "were", "are", "been", "be", "not", "never", "then-candidate", "even", "still", "already", "subsequently", "ultimately", "finally", "first", "initially", "separately", "elsewhere", "went", "go", "goes", "on", "out", "now"]
)

PRONOUNS = {"he": "m", "she": "f", "they": "p", "i": "1", "we": "1", "it": "n", "him": "m", "her": "f"}

PERSON_TITLES = {
    # title (lower, no dot) -> gender or ""
    "mr": "m", "mrs": "f", "ms": "f", "miss": "f", "sir": "m", "dame": "f", "lady": "f", "lord": "m",
    "dr": "", "sen": "", "senator": "", "rep": "", "representative": "", "gov": "", "governor": "",
    "gen": "", "lt": "", "col": "", "sgt": "", "capt": "", "adm": "", "maj": "", "cpl": "",
    "rev": "", "prof": "", "professor": "", "president": "", "secretary": "", "speaker": "",
    "judge": "", "justice": "", "chairman": "m", "chairwoman": "f", "mayor": "", "pope": "m",
    "king": "m", "queen": "f", "prince": "m", "princess": "f", "sheriff": "", "chief": "",
    "officer": "", "director": "", "commissioner": "", "ambassador": "", "minister": "",
    "chancellor": "", "congressman": "m", "congresswoman": "f", "councilman": "m",
    "councilwoman": "f", "coach": "", "deputy": "", "attorney": "", "general": "", "vice": "",
    "former": "", "retired": "", "state": "", "sens": "", "reps": "", "pastor": "", "father": "m",
    "bishop": "", "cardinal": "", "rabbi": "", "imam": "", "detective": "", "trooper": "",
    "superintendent": "", "leader": "", "candidate": "", "nominee": "", "lieutenant": "",
    "colonel": "", "sergeant": "", "captain": "", "admiral": "", "major": "", "house": "",
    "senate": "", "majority": "", "minority": "", "whip": "", "first": "", "prime": "",
    "foreign": "", "defense": "", "press": "", "white": "",
    "del": "", "delegate": "", "selectman": "m", "selectwoman": "f", "alderman": "m",
    "alderwoman": "f", "assemblyman": "m", "assemblywoman": "f", "harbormaster": "",
    "councilmember": "", "councillor": "", "councilor": "", "constable": "", "marshal": "",
    "dean": "", "provost": "", "principal": "", "treasurer": "", "comptroller": "",
    "controller": "", "clerk": "", "auditor": "", "inspector": "", "magistrate": "",
}
# Words that are titles only as the *first* part of a title run (not in names).
TITLE_ONLY = set(PERSON_TITLES) - {"house", "senate", "white", "state", "first", "general",
                                    "major", "justice", "king", "prince", "lady", "lord",
                                    "father", "chief", "leader", "deputy", "press", "foreign",
                                    "defense", "majority", "minority", "vice", "prime"}
NAME_PREFIX_TITLES = {"mr", "mrs", "ms", "miss", "dr", "sen", "rep", "gov", "gen", "lt", "col",
                      "sgt", "capt", "adm", "maj", "rev", "prof", "sens", "reps", "cpl", "sir",
                      "dame", "president", "senator", "governor", "secretary", "speaker", "judge",
                      "justice", "mayor", "pope", "sheriff", "ambassador", "chancellor",
                      "congressman", "congresswoman", "pastor", "bishop", "rabbi", "coach",
                      "representative", "chairman", "chairwoman", "father", "commissioner",
                      "director", "detective", "officer", "chief", "minister", "king", "queen",
                      "prince", "princess", "lady", "lord", "superintendent", "attorney",
                      "general", "vice", "former", "retired", "state", "house", "senate",
                      "majority", "minority", "leader", "whip", "prime", "foreign", "defense",
                      "press", "white", "first", "lieutenant", "colonel", "sergeant",
                      "captain", "admiral", "major", "professor", "imam", "cardinal", "trooper",
                      "deputy", "nominee", "candidate", "councilman", "councilwoman", "del",
                      "delegate", "selectman", "selectwoman", "alderman", "alderwoman",
                      "assemblyman", "assemblywoman", "harbormaster", "councilmember",
                      "councillor", "councilor", "constable", "marshal", "treasurer",
                      "comptroller", "inspector", "magistrate"}
# The titles written abbreviated with a full stop ("Gov. Jane Roe"): only these keep
# their stop as part of the word; "... said the president. Rubio ..." ends a sentence.
TITLE_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "sen", "sens", "rep", "reps", "gov", "gen",
                       "lt", "col", "sgt", "capt", "adm", "maj", "rev", "prof", "cpl", "del",
                       "supt", "cmdr", "atty", "sec", "pres", "insp", "det", "msgr", "fr"}

# Capitalised words that start sentences or clauses but are never part of a name.
NOT_NAME = set(
    ["the", "a", "an", "but", "and", "or", "in", "on", "at", "for", "with", "as", "after", "before", "when", "while", "if", "though", "although", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "his", "her", "their", "our", "my", "its", "there", "here", "then", "so", "yet", "still", "also", "now", "meanwhile", "however", "later", "earlier", "last", "next", "asked", "speaking", "according", "during", "since", "until", "even", "just", "only", "what", "who", "why", "how", "where", "which", "some", "many", "most", "both", "each", "every", "all", "no", "not", "yes", "indeed", "instead", "today", "yesterday", "tomorrow", "tonight", "by", "from", "to", "of", "into", "about", "over", "under", "because", "despite", "like", "unlike", "among", "amid", "without", "within", "through", "across", "against", "between", "toward", "towards", "upon", "do", "does", "did", "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "can", "could", "should", "may", "might", "must", "said", "says", "told", "added", "more", "less", "other", "another", "such", "once", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "first", "second", "third", "again", "perhaps", "maybe", "well", "oh", "yeah", "sure", "thanks", "thank", "please", "dear", "hey", "hi", "read", "click", "watch", "see", "share", "follow", "sign", "subscribe", "related", "photo", "video", "update", "updated", "editor", "note", "full", "text", "abstract", "advertisement", "story", "continued", "breaking", "exclusive", "opinion", "analysis"]
)
MONTHS_DAYS = set(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)
# Head words of organisation names: a capitalised run containing one is not a person.
ORG_WORDS = set(
    ["house", "department", "campaign", "committee", "party", "post", "times", "news", "press", "journal", "tribune", "herald", "network", "council", "commission", "agency", "bureau", "administration", "office", "service", "services", "institute", "foundation", "university", "college", "school", "association", "union", "court", "senate", "congress", "assembly", "police", "army", "navy", "force", "forces", "corps", "fund", "bank", "group", "company", "corporation", "corp", "inc", "co", "llc", "ltd", "center", "centre", "coalition", "alliance", "league", "organization", "organisation", "society", "church", "ministry", "government", "cabinet", "board", "authority", "museum", "hospital", "clinic", "county", "city", "state", "states", "republic", "kingdom", "nations", "street", "avenue", "road", "reuters", "cnn", "fox", "nbc", "abc", "cbs", "msnbc", "npr", "bbc", "politifact", "twitter", "facebook", "google", "apple", "microsoft", "amazon", "magazine", "review", "report", "media", "daily", "weekly", "today", "network", "channel", "radio", "tv", "club", "team", "caucus", "pac", "movement", "project", "initiative", "program", "programme", "airport", "station", "square", "park", "hall", "tower", "building", "district", "division", "unit", "mission", "embassy", "consulate", "exchange", "market", "reserve", "treasury", "pentagon", "kremlin", "fbi", "cia", "nsa", "doj", "epa", "irs", "gop", "dnc", "rnc", "nato", "un", "eu", "aclu", "naacp"]
)
# Common-noun heads of descriptions that refer to a person ("the senator").
PERSON_NOUNS = set(
    ["senator", "president", "governor", "candidate", "nominee", "spokesman", "spokeswoman", "spokesperson", "official", "mayor", "lawyer", "attorney", "businessman", "businesswoman", "billionaire", "man", "woman", "boy", "girl", "mother", "father", "son", "daughter", "wife", "husband", "brother", "sister", "actor", "actress", "singer", "star", "rapper", "author", "writer", "reporter", "journalist", "anchor", "host", "director", "secretary", "chairman", "chairwoman", "leader", "congressman", "congresswoman", "representative", "lawmaker", "politician", "democrat", "republican", "conservative", "liberal", "activist", "pastor", "minister", "priest", "reverend", "judge", "justice", "officer", "sheriff", "chief", "executive", "ceo", "founder", "owner", "professor", "scientist", "researcher", "economist", "analyst", "expert", "strategist", "adviser", "advisor", "aide", "manager", "commissioner", "general", "veteran", "mogul", "tycoon", "former", "star", "player", "coach", "entrepreneur", "resident", "student", "teacher", "doctor", "nurse", "witness", "victim", "friend", "neighbor", "neighbour", "ambassador", "diplomat", "speaker", "rival", "opponent", "challenger", "incumbent", "contender", "frontrunner", "front-runner", "populist", "pollster", "donor", "supporter", "critic", "voter", "chair", "contestant", "widow", "widower", "organizer", "organiser", "columnist",
     "editor", "historian"]
)
# Role nouns that tell a person's gender ("9/11 widow Terry Strada", "the congresswoman").
GENDERED_NOUNS = {
    "widow": "f", "widower": "m", "mother": "f", "father": "m", "wife": "f", "husband": "m",
    "son": "m", "daughter": "f", "brother": "m", "sister": "f", "niece": "f", "nephew": "m",
    "aunt": "f", "uncle": "m", "grandmother": "f", "grandfather": "m", "mom": "f", "dad": "m",
    "businessman": "m", "businesswoman": "f", "congressman": "m", "congresswoman": "f",
    "spokesman": "m", "spokeswoman": "f", "chairman": "m", "chairwoman": "f", "actor": "m",
    "actress": "f", "man": "m", "woman": "f", "boy": "m", "girl": "f", "councilman": "m",
    "councilwoman": "f", "king": "m", "queen": "f", "anchorman": "m", "anchorwoman": "f",
    "sportsman": "m", "sportswoman": "f", "policeman": "m", "policewoman": "f",
    "grandson": "m", "granddaughter": "f", "girlfriend": "f", "boyfriend": "m",
    "mr": "m", "mrs": "f", "ms": "f", "selectman": "m", "selectwoman": "f",
    "assemblyman": "m", "assemblywoman": "f", "alderman": "m", "alderwoman": "f",
}
# Nouns for anonymous or collective speakers kept verbatim ("a source", "officials").
# Nouns heading a description of an organisation ("the American space agency", "the
# company"): such a description, with "the", is resolved to the organisation the
# article named last (NASA), not left as written.
ORG_DESCRIPTION_NOUNS = {"agency", "company", "firm", "organization", "organisation",
                         "ministry", "network", "newspaper", "bank", "university", "institute",
                         "foundation", "association", "airline", "retailer", "automaker",
                         "regulator", "watchdog", "carrier", "manufacturer", "startup",
                         "broadcaster", "charity", "conglomerate", "insurer", "lender",
                         "nonprofit", "publisher", "giant"}

GENERIC_SPEAKERS = set(
    ["source", "sources", "official", "officials", "aide", "aides", "spokesman", "spokeswoman", "spokesperson", "spokespeople", "representative", "representatives", "people", "experts", "analysts", "critics", "supporters", "residents", "witnesses", "protesters", "protestors", "demonstrators", "voters", "observers", "insiders", "advisers", "advisors", "staffers", "democrats", "republicans", "lawmakers", "leaders", "organizers", "organisers", "investigators", "prosecutors", "police", "authorities", "researchers", "economists", "statement", "report", "campaign", "administration", "department", "ministry", "agency", "committee", "group", "organization", "organisation", "company", "spokesmen",
     # Documents and bodies that "say" things in news prose.
     "letter", "article", "book", "memo", "ruling", "brief", "union", "commission", "ad",
     "narrator", "announcer", "clip", "piece", "website", "document", "council", "family",
     "attorneys", "lawyers", "questioner", "friend", "reader", "court", "panel", "study",
     "survey", "poll", "filing", "complaint", "lawsuit", "indictment", "affidavit", "editorial",
     "column", "tweet", "post", "video", "spot", "release", "bill", "resolution", "order",
     "board", "association", "organizers", "doctor", "strategist", "groups", "members",
     "activists", "students", "workers", "families", "parents", "fans", "delegates"]
)

MALE_NAMES = set(
    ["aaron", "adam", "al", "alan", "albert", "alex", "alexander", "andrew", "andy", "anthony", "antony", "ari", "arthur", "barack", "ben", "benjamin", "bernie", "bill", "billy", "bob", "bobby", "brad", "brian", "bruce", "bryan", "carl", "carlos", "charles", "charlie", "chris", "christopher", "chuck", "cory", "craig", "dan", "daniel", "danny", "dave", "david", "dennis", "dick", "don", "donald", "doug", "douglas", "ed", "eddie", "edward", "eric", "evan", "frank", "fred", "gary", "george", "gerald", "glenn", "gordon", "greg", "gregory", "harry", "henry", "howard", "ian", "jack", "jacob", "jake", "james", "jason", "jeb", "jeff", "jeffrey", "jeremy", "jerry", "jesse", "jim", "jimmy", "joe", "joel", "john", "johnny", "jon", "jonathan", "jordan", "jorge", "jose", "joseph", "josh", "joshua", "juan", "justin", "keith", "ken", "kenneth", "kevin", "kurt", "larry", "lawrence", "lee", "leon", "lindsey", "luis", "marco", "mark", "martin", "matt", "matthew", "michael", "mike", "mitch", "mitt", "nathan", "newt", "nicholas", "nick", "oliver", "patrick", "paul", "peter", "phil", "philip", "rand", "randy", "ray", "raymond", "reince", "richard", "rick", "rob", "robert", "robby", "roger", "ron", "ronald", "rudy", "rush", "russell", "ryan", "sam", "samuel", "scott", "sean", "sergei", "stephen", "steve", "steven", "ted", "terry", "thomas", "tim", "timothy", "todd", "tom", "tony", "vladimir", "walter", "wayne", "william", "willie", "xi", "chris", "corey", "kellyanne", "rex", "reid", "harold", "herman", "jared", "eric", "hugh", "colin", "vince", "vincent", "dwight", "abraham", "franklin", "lyndon", "barry", "bernard", "boris", "emmanuel", "francois", "angelo", "antonio", "marcus", "omar", "ahmed", "mohammed", "muhammad", "ali", "hassan", "ibrahim", "kim", "jong", "hosni", "recep", "benjamin", "bibi", "shinzo", "justin", "malcolm", "hank", "jay"]
)
FEMALE_NAMES = set(
    ["abby", "alice", "alicia", "amanda", "amy", "andrea", "angela", "ann", "anna", "anne", "barbara", "betsy", "betty", "beth", "beverly", "brenda", "carly", "carol", "caroline", "catherine", "cathy", "chelsea", "christine", "claire", "cynthia", "dana", "debbie", "deborah", "diane", "donna", "dorothy", "elizabeth", "ellen", "emily", "emma", "erin", "eva", "evelyn", "frances", "gloria", "grace", "hannah", "heather", "helen", "hillary", "hope", "huma", "ivanka", "jane", "janet", "janice", "jean", "jennifer", "jessica", "jill", "joan", "joanna", "joyce", "judith", "judy", "julia", "julie", "karen", "kate", "katherine", "kathleen", "kathy", "katie", "kelly", "kim", "kimberly", "laura", "lauren", "linda", "lisa", "loretta", "louise", "lynn", "margaret", "maria", "marie", "marilyn", "martha", "mary", "megan", "megyn", "melania", "melissa", "michelle", "monica", "nancy", "natalie", "nicole", "nikki", "olivia", "pam", "pamela", "patricia", "patty", "paula", "rachel", "rebecca", "rose", "ruth", "sally", "samantha", "sandra", "sara", "sarah", "sharon", "shirley", "stephanie", "susan", "susana", "suzanne", "teresa", "theresa", "tiffany", "tina", "valerie", "vanessa", "victoria", "virginia", "wendy", "ava", "mia", "sophia", "isabella", "madison", "abigail", "charlotte", "harper", "amelia", "ella", "avery", "scarlett", "aria", "chloe", "zoe", "lily", "layla", "penelope", "nora", "riley", "hazel", "eleanor", "stella", "maya", "leah", "audrey", "claudia", "angela", "theresa", "marine", "nicola", "jacinda", "condoleezza", "condi", "madeleine", "elena", "sonia", "ruth", "debbie", "donna", "kamala", "tulsi", "elizabeth", "jill", "heidi", "kirsten", "tammy", "mazie", "quina", "mary", "oprah", "beyonce", "rihanna", "taylor"]
)
FEMALE_NAMES -= {"taylor"}

# Party and nationality adjectives / demonyms: a capitalised run made only of these
# ("Republican", "Democratic", "North Korean") is not a person, and in front of a
# name they are descriptors ("Democrat Jane Roe"), not part of it.
DEMONYMS = set(
    ["republican", "republicans", "democratic", "democrat", "democrats", "gop", "liberal",
     "conservative", "libertarian", "independent", "progressive", "socialist", "communist",
     "tory", "tories", "labour", "american", "americans", "african-american",
     "african-americans", "russian", "russians", "chinese", "british", "english", "french",
     "german", "germans", "italian", "spanish", "mexican", "mexicans", "canadian",
     "canadians", "japanese", "korean", "koreans", "north", "south", "iranian", "iranians",
     "iraqi", "iraqis", "syrian", "syrians", "israeli", "israelis", "palestinian",
     "palestinians", "saudi", "saudis", "turkish", "egyptian", "afghan", "pakistani",
     "indian", "indians", "ukrainian", "ukrainians", "european", "europeans", "asian",
     "african", "arab", "arabs", "latino", "latinos", "latina", "hispanic", "hispanics",
     "muslim", "muslims", "christian", "christians", "jewish", "catholic", "evangelical",
     "evangelicals", "western", "eastern", "federal", "national", "international", "global",
     "presidential", "congressional", "senatorial", "gubernatorial", "democratic-led",
     "republican-led", "cuban", "cubans", "venezuelan", "brazilian", "australian", "irish",
     "scottish", "welsh", "dutch", "swedish", "polish", "greek", "nigerian", "kenyan",
     "filipino", "vietnamese", "thai", "indonesian", "yemeni", "libyan", "lebanese",
     "jordanian", "qatari", "emirati", "kurdish", "sunni", "shiite", "shia", "soviet",
     ]
)
# Head nouns of events, acts and occasions: "Obama Speech", "Presidential Debate",
# "Trump Rally" name an event, not a person.
EVENT_NOUNS = set(
    ["debate", "debates", "speech", "speeches", "rally", "rallies", "convention",
     "conventions", "summit", "campaign", "campaigns", "conference", "hearing", "hearings",
     "address", "forum", "primary", "primaries", "caucuses", "election", "elections",
     "race", "war", "act", "amendment", "plan", "agreement", "treaty", "accord",
     "tour", "visit", "trip", "gala", "dinner", "festival", "olympics", "cup", "awards",
     "prize", "show", "interview", "interviews", "scandal", "investigation", "probe",
     "trial", "victory", "defeat", "announcement", "statement", "remarks",
     "ceremony", "inauguration", "parade", "protest", "protests", "vote", "poll",
     "polls", "policy", "doctrine", "era", "movement", "crisis", "attack", "attacks",
     "shooting", "shootings", "bombing", "storm", "hurricane", "live", "updates",
     "transcript", "highlights", "recap", "analysis", "fact-check", "timeline"]
)
# Countries, US states, regions and large cities: a run that is exactly one of these
# is a place (it may "say" things as a government, but is never a person).
PLACES = set(
    ["afghanistan", "africa", "alabama", "alaska", "america", "arizona", "arkansas",
     "asia", "australia", "austria", "baghdad", "beijing", "belgium", "berlin", "boston",
     "brazil", "britain", "brussels", "california", "canada", "chicago", "china",
     "colorado", "connecticut", "crimea", "cuba", "damascus", "delaware", "denmark",
     "detroit", "egypt", "england", "europe", "florida", "france", "germany", "greece",
     "hawaii", "houston", "idaho", "illinois", "india", "indiana", "indonesia", "iowa",
     "iran", "iraq", "ireland", "italy", "japan", "jerusalem", "kabul", "kansas",
     "kentucky", "kiev", "kyiv", "korea", "north korea", "south korea", "lebanon", "libya",
     "london", "los angeles", "louisiana", "maine", "maryland", "massachusetts", "mexico",
     "miami", "michigan", "minnesota", "mississippi", "missouri", "montana", "moscow",
     "nebraska", "nevada", "new hampshire", "new jersey", "new mexico", "new york",
     "new york city", "north carolina", "north dakota", "ohio", "oklahoma", "oregon",
     "pakistan", "paris", "pennsylvania", "philadelphia", "poland", "pyongyang",
     "rhode island", "russia", "san francisco", "saudi arabia", "scotland", "seoul",
     "south carolina", "south dakota", "spain", "sweden", "switzerland", "syria",
     "taiwan", "tehran", "tennessee", "texas", "tokyo", "turkey", "ukraine",
     "united kingdom", "united states", "u.s", "u.s.", "us", "usa", "u.k", "u.k.", "uk",
     "utah", "vermont", "venezuela", "vietnam", "washington", "west virginia", "wisconsin",
     "wyoming", "yemen", "iowa city", "dallas", "atlanta", "seattle", "phoenix", "denver",
     "baltimore", "cleveland", "pittsburgh", "charlotte", "ferguson", "mosul", "aleppo",
     "gaza", "israel", "palestine", "qatar", "nigeria", "kenya", "somalia", "sudan",
     "ethiopia", "cairo", "istanbul", "ankara", "manila", "philippines", "canada",
     "middle east", "latin america", "north america", "south america", "wall street",
     "capitol hill", "silicon valley", "hollywood", "manhattan", "brooklyn", "queens",
     "bronx", "harlem"]
)
# Words naming a government department in "Secretary of State X", "Secretary of
# Homeland Security X": the name follows them.
DEPARTMENT_WORDS = {"state", "defense", "defence", "homeland", "security", "treasury", "labor",
                    "labour", "energy", "education", "commerce", "agriculture", "health",
                    "transportation", "interior", "justice", "veterans", "affairs", "human",
                    "services", "housing", "urban", "development", "war", "navy", "army",
                    "the", "u.s", "u.s."}
# AP-style US state abbreviations (datelines, "Ryan, R-Wis.," "Lansing, Mich., said").
STATE_ABBREVIATIONS = {"ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga",
                       "ill", "ind", "kan", "ky", "la", "md", "mass", "mich", "minn", "miss",
                       "mo", "mont", "neb", "nev", "okla", "ore", "pa", "tenn", "vt", "va",
                       "wash", "wis", "wyo", "n.h", "n.y", "n.j", "n.c", "s.c", "n.d", "s.d",
                       "n.m", "r.i", "w.va", "d.c"}
