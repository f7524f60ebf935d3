"""Word lists the recognizer uses: general English and diplomatic vocabulary, never names from particular records.

Everything here is lower-case; lookups fold the word first (``ld.names.fold``).
"""

from __future__ import annotations

from ld.names import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())

# Titles and offices printed before a name ("Cde. Molotov", "Deputy Foreign Minister Gregor", "Herrn Kwasniewski").
# A run of capitalised words that starts with one of these names a person once they are stripped.
OFFICES = _words("""
cde cdes comrade comrades com coms tov mr mrs ms miss dr prof professor sir madame mme mister herr herrn frau
ambassador ambassadors minister ministers premier president presidents chairman chairwoman secretary general
marshal colonel major captain lieutenant admiral counsellor counselor councillor adviser advisor consul envoy
chancellor bundeskanzler bundeskanzlers präsident präsidenten präsidentin deputy vice prime foreign first second
chief head leader editor attaché attache director governor senator congressman king queen emperor prince
diplomatic defense defence economics economy finance trade interior justice agriculture education health culture
external affairs internal home industry labour labor commerce planning pm mp mep
sultan shah pope cardinal bishop father chargé charge d'affaires commander generalissimo premier-minister
beloved supreme state soviet chinese korean american japanese german polish hungarian romanian mongolian
czechoslovak vietnamese indian french british cuban ethiopian somali
""")

# Offices that mark a person only when a name follows (the nationality words above are not cues on their own).
PERSON_CUES = _words("""
cde cdes comrade comrades com coms tov mr mrs ms dr prof professor sir madame mme mister herr herrn frau
ambassador minister premier president chairman secretary marshal general counsellor counselor adviser advisor
consul envoy chancellor bundeskanzler präsident präsidenten chief leader editor director governor senator king
queen emperor prince shah
""")

# Function words: stripped from the edges of a run of capitalised words ("Then Nam Il", "In Nam Il's words").
FUNCTION_WORDS = _words("""
a an the this that these those there then thus however therefore also and or but if when while after before
during since until in on at of for from to by with without about above below under over between among into onto
upon as per via according regarding concerning re yes no not all any some each every many much more most other
such our your their his her its my we you they he she it i me us them who whom which what where why how
dear respected honourable honorable esteemed today yesterday tomorrow here
within neither nor either ultimately moreover furthermore meanwhile nevertheless thereafter hence still yet will shall
would should could might must can do does did sd
am im er sie es der die das den dem des ein eine einer und oder mit von zu zur zum für auf bei nach über unter
wie wenn dass daß auch nur noch schon sehr betr
""")

# Capitalised words that are not names: a run holding one is no person.
STOPWORDS = FUNCTION_WORDS | _words("""
a an the this that these those there then thus however therefore also and or but if when while after before
during since until in on at of for from to by with without about above below under over between among into onto
upon as per via according regarding concerning re yes no not all any some each every many much more most other
such our your their his her its my we you they he she it i me us them who whom which what where why how
dear respected honourable honorable esteemed beloved mr
top secret confidential copy copies no nº only urgent extra priority special rush received sent forwarded
forward date content subject reference ref excerpt excerpts fragments text translation transcript original
journal diary telegram cable ciphered memorandum memo note notes record minutes letter report statement
meeting conversation conference talks session speech address declaration communique communiqué decree
resolution agreement treaty convention protocol plan program programme points games olympics olympiad
congress plenum plenary
digital archive archives history declassified citation search english html share document
program public policy rights
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
north south east west northern southern eastern western central far middle near upper lower new old great
air force forces energy atomic nuclear fleet fair book goods project world free high commissioner tests test funds
fund areas limited ships loan act triangle shirts mill steel aerospace cultural economic emergency frontier tribal
regular liberating mainland presidency headquarters times premiers advertising tobacco mundi pax republican
official records summit sic republik bundesrepublik stamp signature arrived processed dispatched printed typed drafted telegraph fulfillment answer question
republic republics people peoples people's people’s democratic socialist communist federal united national popular
soviet korean koreans chinese american americans japanese german germans polish poles hungarian romanian
mongolian czechoslovak vietnamese indian french british english cuban ethiopian somali russian russians
english asian african european western afro-asian asian-african latin arab israeli egyptian
party government state states army navy press side leadership delegation comrades friends
the-end ps p.s. encl enclosure attachment appendix annex item question questions issue problem
chairman premier president ambassador minister secretary chancellor
god lord christ
""")

# Works and sports clubs name their town after these ("Kirov-Werke Leipzig", "Borussia Dortmund", "Dynamo Moscow"):
# the town is part of the name, not a person named after a group's head ("Embassy Counsellor Petrov").
TOWN_AFTER_HEADS = _words("""
werke werk kombinat borussia dynamo dinamo spartak lokomotiv lokomotive torpedo eintracht fortuna hertha werder
bayern olympique
""")

# Head words of group names ("... Ministry", "... Embassy", "Central Committee"), also of works and combines
# ("Kirov-Werke Leipzig") and sports clubs, which name a place after them and would otherwise read as a given name
# and a surname.
GROUP_HEADS = _words("""
ministry ministries committee committees party embassy legation consulate department office council union
organization organisation nations association agency foundation institute university bureau commission army
government assembly congress presidium politburo secretariat league front corporation company bank service
center centre academy society federation parliament cabinet navy command mission church court
directorate administration group cc mfa kgb tass xinhua afp reuters prensa latina bundeskanzleramt
auswärtiges amt bundestag kremlin
gmbh
""") - {"kremlin"} | TOWN_AFTER_HEADS

# Lower-case heads that make a group of the adjective or bracket before them ("Soviet government").
LOWER_GROUP_HEADS = ("government", "ministry", "organization", "organisation", "embassy", "leadership", "party cc")

# Words for events and documents: a capitalised run ending in one names an event, not a person or place.
EVENT_HEADS = _words("""
conference convention congress plenum session meeting summit games olympics olympiad war revolution uprising
coup agreement treaty declaration decree resolution protocol plan accords accord charter pact
""")

# Nationality adjectives and demonyms; never a name on their own.
DEMONYMS = _words("""
soviet korean koreans chinese american americans japanese german germans polish hungarian romanian mongolian
czechoslovak vietnamese indian french british english cuban ethiopian somali russian russians asian african
european arab israeli egyptian italian spanish dutch belgian swiss austrian swedish norwegian danish finnish
turkish iranian iraqi syrian afghan pakistani indonesian burmese thai cambodian laotian filipino australian
canadian mexican brazilian argentine chilean irish scottish welsh ukrainian kazakh georgian yugoslav bulgarian
albanian greek portuguese sudanese
""")

# Particles inside names ("Charles de Gaulle", "Ludwig van Beethoven").
PARTICLES = frozenset({"de", "van", "von", "der", "den", "da", "del", "dos", "du", "la", "le", "bin", "al", "ibn"})

# Verbs that follow a person as the subject of speech or action; a lone capitalised word before one is a person.
SPEECH_VERBS = _words("""
said says asked asks replied replies stated states noted notes told tells stressed emphasized emphasised
declared declares answered answers added remarked remarks informed informs explained explains agreed agrees
promised promises expressed expresses continued continues thanked thanks spoke speaks visited visits received
receives insisted insists acknowledged acknowledges confirmed confirms suggested suggests proposed proposes
raised raises reported reports wrote writes dictated greeted welcomed mentioned mentions underlined recalled
""")

# Words before a name that make it a group: "the paper Joseon Inmingun", "the newspaper Pravda".
GROUP_CUES = _words("paper newspaper journal magazine daily weekly agency radio station company firm")

# Endings of English and German common nouns and adjectives, rare in personal names ("Cooperation", "Beziehungen").
COMMON_ENDINGS = ("tion", "tions", "sion", "ment", "ments", "ness", "ity", "ship", "ance", "ence", "ism", "ist",
                  "ists", "ung", "ungen", "heit", "keit", "schaft", "ive", "ous", "ure", "ible", "able", "ical",
                  "ful", "less", "ary", "ery")

# Words before the head of a group name that are not part of it ("MEETING OF CC CPSU POLITBURO").
GROUP_LEAD = FUNCTION_WORDS | _words("""
meeting conference session plenum journal telegram cable memorandum report letter top secret copy minutes
transcript received sent from to
""")

# Possessives that are part of a name ("Supreme People's Assembly", "Korean Workers' Party").
NAME_POSSESSIVES = _words("people's people’s peoples' peoples’ workers' workers’ women's women’s children's children’s")

# Words that begin or end names of places: "Sinkiang Province", "Arctic Ocean", "Haneda Airport".
PLACE_HEADS = _words("""
sea ocean river lake bay gulf strait straits island islands peninsula mountains province region airport reservoir
canal desert valley plain areas
""")

# Words that may begin a name and are never cut from its edges ("New York", "North Korea", "Great Britain").
NAME_EDGES = _words("north south east west northern southern eastern western central far middle near upper lower new old great")
