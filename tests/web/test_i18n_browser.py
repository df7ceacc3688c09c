"""Switching the web client to Korean in a real browser: the setting, not the browser's
Accept-Language, decides the language of every page after it, scripts' strings included."""

import re

import pytest
from playwright.sync_api import expect

from apps.accounts.services.users import user_create
from apps.channels.models import Channel
from apps.posts.services import post_create
from tests.factories import make_team
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.slow]

PASSWORD = "Correct-Horse-7"


def test_switching_to_korean_translates_settings_and_chat(browser_as):
    alice = user_create(username="alice", email="alice@example.com", password=PASSWORD)
    team = make_team(alice)
    square = Channel.objects.get(team=team, name="town-square")
    post_create(actor=alice, channel=square, message="안녕하세요, 여러분! Hello, everyone.")
    page = browser_as(alice, locale="ko-KR")
    html = page.locator("html")

    # The account says English, so the Korean browser still gets English.
    page.goto("/settings")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1.settings-title")).to_have_text("Settings")

    page.locator("#id_locale").select_option(label="한국어")
    page.locator("#language button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/settings\?saved=language"))
    expect(html).to_have_attribute("lang", "ko")
    expect(page.locator("h1.settings-title")).to_have_text("설정")
    expect(page.locator("#language-title")).to_have_text("언어")
    expect(page.locator("#display-title")).to_have_text("화면")
    expect(page.locator("#language [role=status]")).to_contain_text("저장됨")
    expect(page.get_by_role("button", name="언어 저장")).to_be_visible()

    page.goto(f"/{team.name}/channels/town-square")
    expect(html).to_have_attribute("lang", "ko")
    expect(page.locator("#sec-channels")).to_have_text("채널")
    expect(page.locator("#sec-direct")).to_have_text("다이렉트 메시지")
    composer = page.locator("#composer-input")
    expect(composer).to_have_attribute("placeholder", re.compile(r"메시지 쓰기$"))
    expect(page.locator("#search-input")).to_have_attribute("placeholder", "검색")
    expect(page.locator(".composer-hint")).to_contain_text("줄 바꿈")
    messages = page.locator("#message-list")
    expect(messages).to_contain_text("안녕하세요")
    # System messages are drawn from their type in the reader's language.
    expect(messages).to_contain_text("님이 팀에 참여했습니다.")
    composer.click()
    screenshot(page, "chat-ko")

    # Strings the scripts show come from the page, so they are Korean too: the channel
    # switcher's dialog.
    page.keyboard.press("Control+k")
    switcher = page.locator("dialog.switcher-dialog")
    expect(switcher).to_be_visible()
    expect(switcher.locator("[data-switcher-input]")).to_have_attribute(
        "placeholder", "채널 및 사용자 찾기"
    )
    page.keyboard.press("Escape")
    expect(switcher).to_have_count(0)
