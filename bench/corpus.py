"""A seeded generator of chat messages in English, Korean and Chinese, for benchmarks.

Nothing is downloaded: the English vocabulary and the Chinese characters are listed
here, and Korean words are composed from jamo indexes (a Hangul syllable is
U+AC00 + (initial * 21 + medial) * 28 + final). The lexicons are built once from a
fixed seed, so they are the same for every corpus and the benchmark's queries can
name their words; a `Corpus(seed)` then draws messages from them with its own
`random.Random(seed)`: the same seed gives the same messages, in the same order.

Words are drawn with Zipf-like frequencies (the k-th word about 1/k as often as the
first), messages are mostly short with a long tail, and some carry a mention, a
hashtag, a number, a link or a code span, as chat does. The mix is about 70% English,
15% Korean and 15% Chinese.
"""

import itertools
import random
from collections.abc import Sequence

LEXICON_SEED = 20240521  # the lexicons; not the corpus seed


def _words(text: str) -> list[str]:
    return text.split()


# --- English ---------------------------------------------------------------------------------
# Roughly by frequency in workplace chat: the earlier a word, the more often it is drawn.
ENGLISH_WORDS = _words("""
the i to a and is it you we for that this on in of be can have will just not do
so but are with at me if it's i'm be it's what was my our from get there now up
no yes ok thanks know think need one all about out they how when would here see
should let like also going some maybe today more time check could want work
tomorrow sure did make sounds good new any look by been yeah an fix then go still
please right back issue why which only has us them got team take try where test
meeting build deploy release update looks error change done branch yesterday week
code server will send call morning same use first other after before again
because over really around something thing these those who then into problem data
help well last file find very next user users their doing working morning review
merge version looks great thank sorry ping quick question add added remove
removed broken fixed failing passing prod staging local api endpoint database
query cache config logs log alert dashboard metrics latency timeout memory cpu
disk network service services client customer customers ticket tickets bug bugs
feature features design doc docs spec plan planning sprint backlog priority
estimate scope demo launch rollout rollback hotfix patch migration schema index
table column job jobs queue worker workers cron script scripts pipeline ci green
red flaky tests unit integration coverage lint format style refactor cleanup
deadline friday monday tuesday wednesday thursday weekend afternoon tonight
lunch coffee break office remote home vacation holiday sick late early soon
minutes hours days weeks month quarter year agenda notes slides recording
calendar invite room zoom link access permission password login token session
account admin settings option options default value values field fields page
pages button screen mobile web app android ios browser chrome safari firefox
upload download image images video audio search results result filter sort
list item items order orders payment invoice billing price plan pricing
report reports numbers chart graph trend growth revenue cost budget contract
sales marketing support ops security legal finance hiring candidate interview
offer onboarding training feedback survey retro goals okr roadmap milestone
status update blocked blocker waiting pending approved approve approval review
reviewer comments comment thread reply message channel post mention notify
notification email slack repo github gitlab commit commits push pull request
diff conflict rebase tag tags version versions package dependency dependencies
upgrade downgrade install restart reboot crash crashed down outage incident
postmortem root cause impact severity pager oncall handoff escalate escalation
monitor monitoring threshold spike drop slow fast faster slower performance
benchmark load traffic region cluster node nodes pod pods container docker
kubernetes terraform aws gcp azure bucket storage backup restore snapshot
replica primary failover certificate dns domain proxy gateway firewall vpn
ssh key keys secret secrets rotate rotation audit compliance policy privacy
great nice awesome cool perfect weird strange odd interesting annoying
important urgent critical minor major small big huge quick easy hard tricky
agree disagree understand explain clarify confirm confirmed assume guess
probably definitely actually basically literally honestly anyway though
""")

# Phrases people type often; the phrase queries look for some of them.
ENGLISH_PHRASES = [
    "pull request",
    "code review",
    "release notes",
    "stand up",
    "on call",
    "load balancer",
    "unit tests",
    "feature flag",
    "root cause",
    "happy hour",
    "design doc",
    "error rate",
    "next week",
    "last night",
    "let me know",
    "thank you",
    "as soon as possible",
    "out of office",
    "action items",
    "end of day",
    "good morning",
    "take a look",
    "sounds good to me",
    "customer call",
    "staging environment",
    "database migration",
]

HASHTAGS = [
    "release",
    "incident",
    "standup",
    "oncall",
    "design",
    "hiring",
    "bug",
    "perf",
    "security",
    "retro",
    "launch",
    "customer",
    "infra",
    "mobile",
    "docs",
    "q3-planning",
    "team.social",
    "fyi",
]

FIRST_NAMES = _words("""
james mary john linda robert susan michael sarah david karen william nancy richard
lisa joseph emily thomas anna daniel laura matthew emma chris olivia kevin sophie
brian grace jason chloe ryan hannah eric julia adam claire min ji seo yuna jun hana
jiho minji hyun sora dong eun tae kyung wei fang lei ming jing hui yan chen xin tao
li mei lin hao yu qiang ana lucas mateo sofia pierre marie hans ingrid yuki kenji
""")
LAST_NAMES = _words("""
smith johnson williams brown jones garcia miller davis wilson anderson taylor thomas
moore martin jackson white harris clark lewis walker hall allen young king wright
kim lee park choi jung kang cho yoon jang lim han oh shin seo kwon hwang ahn song
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin luo
tanaka suzuki sato muller schmidt dubois rossi silva santos novak
""")

_PROJECTS = ["API", "WEB", "OPS", "MOB", "DATA", "SEC", "INFRA", "CORE"]
_COMMANDS = ["make test", "git pull", "kubectl get pods", "npm ci", "./manage.py migrate"]
_HOSTS = ["github.com/acme/api/pull", "jira.acme.io/browse/API", "docs.acme.io/runbooks"]

# --- Korean ----------------------------------------------------------------------------------
_HANGUL_BASE = 0xAC00
# (index, weight): initials ㄱ ㄴ ㄷ ㄹ ㅁ ㅂ ㅅ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ (and some tense ones),
# medials ㅏ ㅐ ㅓ ㅔ ㅕ ㅗ ㅘ ㅚ ㅛ ㅜ ㅝ ㅠ ㅡ ㅢ ㅣ, finals none ㄱ ㄴ ㄹ ㅁ ㅂ ㅅ ㅆ ㅇ.
_INITIALS = [(0, 14), (2, 8), (3, 9), (5, 6), (6, 8), (7, 7), (9, 11), (11, 18), (12, 10),
             (14, 5), (15, 2), (16, 3), (17, 3), (18, 9), (1, 1), (4, 1), (10, 1)]  # fmt: skip
_MEDIALS = [(0, 20), (1, 7), (4, 14), (5, 5), (6, 6), (8, 12), (9, 2), (11, 2), (12, 2),
            (13, 10), (14, 2), (17, 2), (18, 8), (19, 2), (20, 14)]  # fmt: skip
_FINALS = [(0, 50), (1, 7), (4, 13), (8, 9), (16, 6), (17, 3), (19, 2), (20, 1), (21, 11)]
# Particles by whether the word ends in a consonant (batchim) or a vowel.
_PARTICLES_AFTER_CONSONANT = ["은", "이", "을", "과", "으로", "에", "에서", "도", "만", "의"]
_PARTICLES_AFTER_VOWEL = ["는", "가", "를", "와", "로", "에", "에서", "도", "만", "의"]
_KOREAN_ENDINGS = ["습니다", "합니다", "해요", "했어요", "할게요", "인가요", "입니다", "네요"]
_KOREAN_LAUGHS = ["ㅋㅋ", "ㅋㅋㅋ", "ㅎㅎ", "ㅠㅠ"]

# --- Chinese ---------------------------------------------------------------------------------
# Common CJK Unified Ideographs, roughly by frequency.
CHINESE_CHARACTERS = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去"
    "之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方"
    "又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点"
    "月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门"
    "相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总"
    "才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合"
    "放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服"
    "毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带"
    "花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转"
    "量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千"
    "片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观"
    "争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级"
    "克精哪官示冷域"
)
_CHINESE_PUNCTUATION = ["，", "，", "，", "、"]  # noqa: RUF001
_CHINESE_ENDS = ["。", "。", "？", "！", "", "～"]  # noqa: RUF001

# ASCII words that Korean and Chinese speakers mix into chat.
_MIXED_ASCII = ["PR", "API", "QA", "bug", "deploy", "v2", "CI", "OK", "DB", "iOS", "PM", "MR"]


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _zipf_cum(n: int, exponent: float = 1.0) -> list[float]:
    return _cumulative([1.0 / (rank + 1) ** exponent for rank in range(n)])


def _weighted_index(rng: random.Random, pairs: Sequence[tuple[int, int]]) -> int:
    values = [v for v, _ in pairs]
    return rng.choices(values, weights=[w for _, w in pairs])[0]


def hangul_syllable(initial: int, medial: int, final: int = 0) -> str:
    """The Hangul syllable of these jamo indexes (19 initials, 21 medials, 28 finals)."""
    return chr(_HANGUL_BASE + (initial * 21 + medial) * 28 + final)


def has_final_consonant(syllable: str) -> bool:
    return (ord(syllable) - _HANGUL_BASE) % 28 != 0


def _korean_lexicon(rng: random.Random, size: int) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        length = rng.choices((2, 3, 4), weights=(55, 30, 15))[0]
        word = "".join(
            hangul_syllable(
                _weighted_index(rng, _INITIALS),
                _weighted_index(rng, _MEDIALS),
                _weighted_index(rng, _FINALS),
            )
            for _ in range(length)
        )
        words.setdefault(word)
    return list(words)


def _chinese_lexicon(rng: random.Random, size: int) -> list[str]:
    characters = list(dict.fromkeys(CHINESE_CHARACTERS))
    cum = _zipf_cum(len(characters), 0.8)
    words: dict[str, None] = {}
    while len(words) < size:
        length = rng.choices((1, 2, 3), weights=(15, 65, 20))[0]
        words.setdefault("".join(rng.choices(characters, cum_weights=cum, k=length)))
    return list(words)


_lexicon_rng = random.Random(LEXICON_SEED)  # noqa: S311 (data, not secrets)
# Ranked lexicons: index 0 is the most frequent word.
ENGLISH_VOCABULARY: list[str] = list(dict.fromkeys(ENGLISH_WORDS))
KOREAN_WORDS: list[str] = _korean_lexicon(_lexicon_rng, 500)
CHINESE_WORDS: list[str] = _chinese_lexicon(_lexicon_rng, 600)
del _lexicon_rng

_ENGLISH_CUM = _zipf_cum(len(ENGLISH_VOCABULARY), 1.0)
_KOREAN_CUM = _zipf_cum(len(KOREAN_WORDS), 1.0)
_CHINESE_CUM = _zipf_cum(len(CHINESE_WORDS), 1.0)
_HASHTAG_CUM = _zipf_cum(len(HASHTAGS), 1.0)
_PHRASE_CUM = _zipf_cum(len(ENGLISH_PHRASES), 0.7)


def frequent_word(words: Sequence[str], *, length: int, skip: int = 0) -> str:
    """The most frequent word of exactly `length` characters (after skipping `skip`)."""
    found = [w for w in words if len(w) == length]
    return found[skip]


def person_names(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """`count` distinct (username, first name, last name), usernames like "mina.park"."""
    seen: set[str] = set()
    people = []
    while len(people) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"{first}.{last}"
        if username in seen:
            username = f"{first}.{last}{rng.randrange(2, 100)}"
        if username in seen:
            continue
        seen.add(username)
        people.append((username, first.title(), last.title()))
    return people


class Corpus:
    """Messages drawn from a `random.Random(seed)`; `mention_names` are @-mentioned."""

    LANGUAGES = ("en", "ko", "zh")
    LANGUAGE_CUM = _cumulative((70, 15, 15))

    def __init__(self, seed: int | str, *, mention_names: Sequence[str] = ()) -> None:
        self.rng = random.Random(seed)  # noqa: S311
        self.mention_names = list(mention_names) or [n for n, _, _ in person_names(self.rng, 50)]
        self.counts = dict.fromkeys(self.LANGUAGES, 0)

    # --- shapes shared by the languages -------------------------------------------------

    def _length(self) -> int:
        """Words in a message: mostly a few, sometimes a paragraph."""
        r = self.rng.random()
        if r < 0.45:
            return self.rng.randint(1, 7)
        if r < 0.80:
            return self.rng.randint(6, 16)
        if r < 0.95:
            return self.rng.randint(15, 40)
        return self.rng.randint(40, 150)

    def _insert(self, parts: list[str], item: str, *, front_bias: float = 0.0) -> None:
        if self.rng.random() < front_bias:
            parts.insert(0, item)
        else:
            parts.insert(self.rng.randint(0, len(parts)), item)

    def _mention(self) -> str:
        return "@" + self.rng.choice(self.mention_names)

    def _hashtag(self) -> str:
        return "#" + self.rng.choices(HASHTAGS, cum_weights=_HASHTAG_CUM)[0]

    def _number(self) -> str:
        rng = self.rng
        kind = rng.randrange(6)
        if kind == 0:
            return f"{rng.choice(_PROJECTS)}-{rng.randint(100, 9999)}"
        if kind == 1:
            return f"{rng.randint(7, 19)}:{rng.choice((0, 15, 30, 45)):02d}"
        if kind == 2:
            return f"v{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        if kind == 3:
            return f"{rng.randint(1, 99)}%"
        if kind == 4:
            return f"{rng.randint(2, 500)}ms"
        return str(rng.randint(1, 5000))

    def _url(self) -> str:
        return f"https://{self.rng.choice(_HOSTS)}/{self.rng.randint(100, 99999)}"

    # --- languages ----------------------------------------------------------------------

    def english(self) -> str:
        rng = self.rng
        count = self._length()
        parts = rng.choices(ENGLISH_VOCABULARY, cum_weights=_ENGLISH_CUM, k=count)
        for _ in range(1 + count // 20):
            if rng.random() < 0.22:
                self._insert(parts, rng.choices(ENGLISH_PHRASES, cum_weights=_PHRASE_CUM)[0])
        if rng.random() < 0.12:
            self._insert(parts, self._mention(), front_bias=0.6)
        if rng.random() < 0.07:
            self._insert(parts, self._hashtag(), front_bias=0.2)
        if rng.random() < 0.12:
            self._insert(parts, self._number())
        if rng.random() < 0.08:
            self._insert(parts, rng.choice(FIRST_NAMES).title())
        if rng.random() < 0.02:
            self._insert(parts, self._url())
        if rng.random() < 0.03:
            self._insert(parts, f"`{rng.choice(_COMMANDS)}`")
        words = [w + "," if rng.random() < 0.04 else w for w in parts[:-1]] + parts[-1:]
        text = " ".join(words)
        if rng.random() < 0.7:
            text = text[0].upper() + text[1:]
        return text + rng.choice(("", "", "", ".", ".", "?", "!", "...", " :)"))

    def korean(self) -> str:
        rng = self.rng
        count = max(1, self._length() * 4 // 5)
        words = rng.choices(KOREAN_WORDS, cum_weights=_KOREAN_CUM, k=count)
        parts = []
        for word in words:
            if rng.random() < 0.55:
                consonant = has_final_consonant(word[-1])
                particles = _PARTICLES_AFTER_CONSONANT if consonant else _PARTICLES_AFTER_VOWEL
                word += rng.choice(particles)
            parts.append(word)
        if rng.random() < 0.6:
            parts[-1] += rng.choice(_KOREAN_ENDINGS)
        if rng.random() < 0.1:
            self._insert(parts, rng.choice(_MIXED_ASCII))
        if rng.random() < 0.08:
            self._insert(parts, self._mention(), front_bias=0.7)
        if rng.random() < 0.03:
            self._insert(parts, self._hashtag())
        if rng.random() < 0.06:
            self._insert(parts, self._number())
        text = " ".join(parts) + rng.choice(("", ".", ".", "?", "!", "~"))
        if rng.random() < 0.1:
            text += " " + rng.choice(_KOREAN_LAUGHS)
        return text

    def chinese(self) -> str:
        rng = self.rng
        count = max(1, self._length() * 13 // 10)
        words = rng.choices(CHINESE_WORDS, cum_weights=_CHINESE_CUM, k=count)
        clauses, clause = [], []
        for word in words:
            clause.append(word)
            if len(clause) >= rng.randint(3, 8):
                clauses.append("".join(clause))
                clause = []
        if clause:
            clauses.append("".join(clause))
        text = "".join(c + rng.choice(_CHINESE_PUNCTUATION) for c in clauses[:-1]) + clauses[-1]
        text += rng.choice(_CHINESE_ENDS)
        extras = []
        if rng.random() < 0.1:
            extras.append(rng.choice(_MIXED_ASCII))
        if rng.random() < 0.08:
            extras.insert(0, self._mention())
        if rng.random() < 0.03:
            extras.append(self._hashtag())
        if rng.random() < 0.06:
            extras.append(self._number())
        if not extras:
            return text
        # Mixed-in ASCII sits between spaces, at the start or the end.
        return " ".join([*extras, text] if rng.random() < 0.5 else [text, *extras])

    def message(self) -> str:
        language = self.rng.choices(self.LANGUAGES, cum_weights=self.LANGUAGE_CUM)[0]
        self.counts[language] += 1
        if language == "en":
            return self.english()
        if language == "ko":
            return self.korean()
        return self.chinese()

    def messages(self, count: int) -> list[str]:
        return [self.message() for _ in range(count)]
