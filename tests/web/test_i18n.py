"""The web client in Korean, Simplified Chinese and French: the catalogues are complete
(an untranslated, fuzzy or placeholder-breaking message fails here, not in front of a
reader), a signed-in user reads the page in their `locale`, and a visitor in the language
their browser asks for."""

import gettext
import importlib.util
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.factories import UserFactory, make_team
from tests.web.clients import signed_in_client

ROOT = Path(__file__).resolve().parent.parent.parent


def _load_checker():
    """tools/ is not a package: load the checker from its file, as CI runs it."""
    spec = importlib.util.spec_from_file_location(
        "check_translations", ROOT / "tools" / "check_translations.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checker = _load_checker()


# --- the catalogues -----------------------------------------------------------------------


def test_every_message_is_translated_without_fuzzy_or_broken_placeholders():
    problems = checker.check()
    assert not problems, "Translate these (then `make setup` compiles them):\n  " + "\n  ".join(
        problems
    )


def test_there_is_a_catalogue_for_every_language_but_english():
    expected = {translation.to_locale(code) for code, _ in settings.LANGUAGES if code != "en"}
    found = {path.parent.parent.name for path in checker.catalogues()}
    assert expected <= found


def test_the_checker_reports_each_kind_of_problem(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\n'
        'msgstr ""\n'
        '"Language: fr\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n'
        "\n"
        'msgid "Channels"\n'
        'msgstr ""\n'
        "\n"
        "#, fuzzy\n"
        'msgid "Teams"\n'
        'msgstr "Équipes"\n'
        "\n"
        "#, python-format\n"
        'msgid "Join %(name)s"\n'
        'msgstr "Rejoindre %(nom)s"\n'
        "\n"
        'msgid "Remove {name}"\n'
        'msgstr "Retirer"\n'
        "\n"
        "#, python-format\n"
        'msgid "%(counter)s file"\n'
        'msgid_plural "%(counter)s files"\n'
        'msgstr[0] "%(counter)s fichier"\n'
        'msgstr[1] ""\n'
        "\n"
        "#, python-format\n"
        'msgid "A %% and {{braces}}"\n'
        "msgstr "
        '"Un %% et {{accolades}}"\n'
        "\n"
        '#~ msgid "Gone"\n'
        '#~ msgstr ""\n',
        encoding="utf-8",
    )
    problems = checker.check([po])
    assert len(problems) == 5, problems
    text = "\n".join(problems)
    assert "untranslated: 'Channels'" in text
    assert "fuzzy: 'Teams'" in text
    assert "%(nom)s" in text
    assert "{name}" in text
    assert "untranslated: '%(counter)s file'" in text


def test_a_header_without_its_language_is_reported(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: \\n"\n'
        '"Content-Type: text/plain; charset=CHARSET\\n"\n',
        encoding="utf-8",
    )
    text = "\n".join(checker.check([po]))
    assert "fuzzy" in text
    assert "Language" in text
    assert "Plural-Forms" in text
    assert "UTF-8" in text


# --- the compiled catalogues at work --------------------------------------------------------


def _out_of_date(po: Path) -> bool:
    """Whether the .mo beside `po` lacks any of its translations (compared by content:
    makemessages rewrites a .po even when no message changed)."""
    mo = po.with_suffix(".mo")
    if not mo.exists():
        return True
    with mo.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    for entry in checker.parse_po(po.read_text(encoding="utf-8")):
        if not entry.msgid:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural is None:
            if catalog.get(key) != entry.msgstr.get(0):
                return True
        elif any(catalog.get((key, i)) != s for i, s in entry.msgstr.items()):
            return True
    return False


@pytest.fixture(scope="module")
def compiled():
    """The .mo files are built, not committed (`make setup` runs compilemessages)."""
    stale = [po for po in checker.catalogues() if _out_of_date(po)]
    if stale:
        pytest.fail(
            "These catalogues are not compiled, or changed since: run `make messages` "
            "(manage.py compilemessages --ignore=.venv):\n  "
            + "\n  ".join(str(p.relative_to(ROOT)) for p in stale)
        )


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ko", 1, "답글 1개"),
        ("ko", 5, "답글 5개"),
        ("zh-hans", 1, "1 条回复"),
        ("zh-hans", 5, "5 条回复"),
        ("fr", 0, "0 réponse"),  # French: 0 and 1 are singular
        ("fr", 1, "1 réponse"),
        ("fr", 2, "2 réponses"),
    ],
)
def test_plurals_follow_each_language(compiled, language, count, expected):
    with translation.override(language):
        text = translation.ngettext("%(counter)s reply", "%(counter)s replies", count)
    assert text % {"counter": count} == expected


def _html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]*)"', html).group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("locale", "lang", "channels", "direct", "sign_out"),
    [
        ("ko", "ko", "채널", "다이렉트 메시지", "로그아웃"),
        ("zh-CN", "zh-hans", "频道", "私信", "退出登录"),
        ("fr", "fr", "Canaux", "Messages directs", "Se déconnecter"),
    ],
)
def test_the_chat_page_is_in_the_users_language(compiled, locale, lang, channels, direct, sign_out):
    user = UserFactory(username="alice", locale=locale)
    team = make_team(user)
    response = signed_in_client(user).get(f"/{team.name}/channels/town-square")
    assert response.status_code == 200
    html = response.content.decode()
    assert _html_lang(html) == lang
    assert f'<h2 id="sec-channels">{channels}</h2>' in html
    assert f'<h2 id="sec-direct">{direct}</h2>' in html
    assert sign_out in html
    assert ">Channels<" not in html
    assert "Sign out" not in html


@pytest.mark.django_db
def test_the_users_language_wins_over_the_browsers(compiled):
    user = UserFactory(username="alice", locale="fr")
    team = make_team(user)
    response = signed_in_client(user).get(
        f"/{team.name}/channels/town-square", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9"
    )
    assert _html_lang(response.content.decode()) == "fr"


@pytest.mark.django_db
def test_an_english_user_reads_english(compiled):
    user = UserFactory(username="alice", locale="en")
    team = make_team(user)
    response = signed_in_client(user).get(
        f"/{team.name}/channels/town-square", HTTP_ACCEPT_LANGUAGE="fr"
    )
    html = response.content.decode()
    assert _html_lang(html) == "en"
    assert '<h2 id="sec-channels">Channels</h2>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "lang", "title", "password"),
    [
        ("ko-KR,ko;q=0.9,en-US;q=0.8", "ko", "로그인", "비밀번호"),
        ("zh-CN,zh;q=0.9", "zh-hans", "登录", "密码"),
        ("fr", "fr", "Se connecter", "Mot de passe"),
        ("fr-CA,fr;q=0.8", "fr", "Se connecter", "Mot de passe"),
        ("de-DE", "en", "Sign in", "Password"),
    ],
)
def test_the_sign_in_page_follows_accept_language(compiled, accept_language, lang, title, password):
    response = Client().get("/login", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    html = response.content.decode()
    assert _html_lang(html) == lang
    assert f"<title>{title} · Confab</title>" in html
    assert password in html
