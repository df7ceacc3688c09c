"""Files in the browser: attach (paper clip, drop), watch the chip, send, and see the
thumbnail or the file card on both sides of the conversation."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from apps.accounts.services.users import user_create
from apps.teams.services import team_create, team_join
from tests.web.conftest import screenshot

pytestmark = pytest.mark.slow

PASSWORD = "Correct-horse-42"
FILE_INPUT = "#composer [data-composer-file-input]"
CHIPS = "#composer [data-composer-files] .file-chip"

# True once the first image thumbnail of the message list has really been decoded.
THUMBNAIL_LOADED = """() => {
    const img = document.querySelector("#message-list .file-image img");
    return !!img && img.complete && img.naturalWidth > 0;
}"""

AT_BOTTOM = """() => {
    const s = document.getElementById("message-scroller");
    return s.scrollHeight - s.scrollTop - s.clientHeight < 2;
}"""

# Drops the given files onto an element the way a desktop drag would deliver them.
DROP_FILES = """([selector, files]) => {
    const target = document.querySelector(selector);
    const transfer = new DataTransfer();
    for (const f of files) transfer.items.add(new File([f.text], f.name, {type: f.type}));
    const fire = (type) => target.dispatchEvent(
        new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: transfer}));
    fire("dragover");
    const overlay = !!document.querySelector("#center > .drop-overlay");
    fire("drop");
    return overlay;
}"""


def _people(*names: str):
    users = [
        user_create(username=name, email=f"{name}@example.com", password=PASSWORD) for name in names
    ]
    team = team_create(actor=users[0], name="acme", display_name="Acme Corp")
    for user in users[1:]:
        team_join(actor=user, team_id=team.id)
    return team, users


def _png(width: int = 800, height: int = 600) -> bytes:
    image = Image.new("RGB", (width, height), (30, 120, 200))
    for x in range(0, width, 40):
        for y in range(height):
            image.putpixel((x, y), (250, 200, 40))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _open(page: Page) -> None:
    page.goto("/acme/channels/town-square")
    expect(page.locator("#composer[data-uploads-wired]")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("data-socket", "open")


def _send_empty(page: Page) -> None:
    page.locator("#composer [data-composer-input]").press("Enter")


def test_an_attached_image_is_sent_and_shown_as_a_thumbnail_to_both(browser_as):
    _team, (alice, bob) = _people("alice", "bob")
    page_a, page_b = browser_as(alice), browser_as(bob)
    _open(page_a)
    _open(page_b)

    page_a.set_input_files(
        FILE_INPUT, files=[{"name": "sunset.png", "mimeType": "image/png", "buffer": _png()}]
    )

    chip = page_a.locator(CHIPS)
    expect(chip).to_have_count(1)
    expect(chip.locator(".file-chip-name")).to_have_text("sunset.png")
    expect(chip.locator(".file-chip-size")).to_contain_text(re.compile(r"\d"))
    expect(chip.locator(".file-chip-remove")).to_have_attribute("aria-label", "Remove sunset.png")
    expect(chip).to_have_attribute("data-state", "done")
    expect(chip.locator("progress")).to_be_hidden()
    assert page_a.evaluate("document.getElementById('composer').fileIds().length") == 1

    _send_empty(page_a)  # no text: the file alone is the message

    for page in (page_a, page_b):
        link = page.locator("#message-list .file-image")
        expect(link).to_have_count(1)
        expect(link).to_have_attribute("href", re.compile(r"^/api/v4/files/\w{26}/preview$"))
        page.wait_for_function(THUMBNAIL_LOADED)
        size = page.evaluate(
            "(() => { const i = document.querySelector('#message-list .file-image img');"
            " return [i.naturalWidth, i.naturalHeight]; })()"
        )
        assert size == [480, 360], size
        box = link.locator("img").bounding_box()
        assert box["width"] <= 481 and box["height"] <= 361, box
        # The list stayed at the bottom although the image arrived after the post.
        page.wait_for_function(AT_BOTTOM)
    expect(page_a.locator(CHIPS)).to_have_count(0)
    expect(page_a.locator("#composer [data-composer-files]")).to_be_hidden()
    screenshot(page_b, "files")


def test_a_non_image_is_shown_as_a_file_card(browser_as):
    _team, (alice, bob) = _people("alice", "bob")
    page_a, page_b = browser_as(alice), browser_as(bob)
    _open(page_a)
    _open(page_b)
    pdf = b"%PDF-1.4\n" + b"0" * 2030 + b"\n%%EOF\n"  # 2,048 bytes

    page_a.set_input_files(
        FILE_INPUT, files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    expect(page_a.locator(CHIPS)).to_have_attribute("data-state", "done")
    expect(page_a.locator(CHIPS).locator(".file-chip-ext")).to_have_text("PDF")
    box = page_a.locator("#composer [data-composer-input]")
    box.fill("the quarterly report")
    box.press("Enter")

    for page in (page_a, page_b):
        card = page.locator("#message-list .file-card")
        expect(card).to_have_count(1)
        expect(card.locator(".file-name")).to_have_text("report.pdf")
        expect(card.locator(".file-size")).to_have_text(re.compile(r"2\.0\s*KB"))
        expect(card).to_have_attribute("href", re.compile(r"^/api/v4/files/\w{26}\?download=1$"))
        expect(page.locator("#message-list .post-message").last).to_contain_text(
            "the quarterly report"
        )
    screenshot(page_a, "files-card")


def test_dropping_files_on_the_centre_uploads_them(browser_as):
    _team, (alice,) = _people("alice")
    page = browser_as(alice)
    _open(page)

    overlay_shown = page.evaluate(
        DROP_FILES,
        ["#message-list", [{"name": "notes.txt", "type": "text/plain", "text": "launch"}]],
    )

    assert overlay_shown
    expect(page.locator("#center > .drop-overlay")).to_have_count(0)
    chip = page.locator(CHIPS)
    expect(chip.locator(".file-chip-name")).to_have_text("notes.txt")
    expect(chip).to_have_attribute("data-state", "done")
    screenshot(page, "files-chip")

    chip.locator(".file-chip-remove").click()
    expect(page.locator(CHIPS)).to_have_count(0)
    assert page.evaluate("document.getElementById('composer').fileIds()") == []


def test_more_than_ten_files_are_refused_with_a_message(browser_as):
    _team, (alice,) = _people("alice")
    page = browser_as(alice)
    _open(page)

    files = [{"name": f"part-{i}.txt", "mimeType": "text/plain", "buffer": b"x"} for i in range(11)]
    page.set_input_files(FILE_INPUT, files=files)

    expect(page.locator(CHIPS)).to_have_count(10)
    expect(page.locator("#toast")).to_contain_text("at most 10 files")
    expect(page.locator(f"{CHIPS}[data-state='done']")).to_have_count(10)


def test_an_upload_error_is_shown_on_its_chip(browser_as):
    _team, (alice,) = _people("alice")
    page = browser_as(alice)
    _open(page)
    # The channel id is no longer one the server knows: the API answers with an AppError.
    page.evaluate("document.getElementById('composer').dataset.channelId = 'x'.repeat(26)")

    page.set_input_files(
        FILE_INPUT, files=[{"name": "a.txt", "mimeType": "text/plain", "buffer": b"a"}]
    )

    chip = page.locator(CHIPS)
    expect(chip).to_have_attribute("data-state", "error")
    expect(chip.locator(".file-chip-error")).to_be_visible()
    expect(chip.locator(".file-chip-error")).not_to_be_empty()
    assert page.evaluate("document.getElementById('composer').fileIds()") == []


def test_clicking_a_thumbnail_opens_the_preview_in_a_dialog(browser_as):
    _team, (alice,) = _people("alice")
    page = browser_as(alice)
    _open(page)
    page.set_input_files(
        FILE_INPUT, files=[{"name": "chart.png", "mimeType": "image/png", "buffer": _png()}]
    )
    expect(page.locator(CHIPS)).to_have_attribute("data-state", "done")
    _send_empty(page)
    page.wait_for_function(THUMBNAIL_LOADED)

    page.locator("#message-list .file-image").click()

    dialog = page.locator("dialog.lightbox")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".lightbox-close")).to_be_focused()
    expect(dialog.locator(".lightbox-name")).to_have_text("chart.png")
    page.wait_for_function(
        "() => document.querySelector('dialog.lightbox img').naturalWidth === 800"
    )
    expect(dialog.locator(".lightbox-download")).to_have_attribute(
        "href", re.compile(r"\?download=1$")
    )
    screenshot(page, "files-lightbox")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#message-list .file-image")).to_be_focused()
