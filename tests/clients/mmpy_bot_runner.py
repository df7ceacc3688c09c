"""Runs an unmodified mmpy_bot 2.2.1 bot with one plugin, as a separate process.

Usage: python mmpy_bot_runner.py <http://host> <port> <token> <team name> [webhook port]

With a webhook port, mmpy_bot's own webhook server listens on 127.0.0.1 at that port and
its unmodified example plugin `WebHookExample` (`!button`, the ping and pong hooks) runs too.
"""

import sys

from mmpy_bot import Bot, Message, Plugin, Settings, listen_to
from mmpy_bot.plugins import WebHookExample


class Pong(Plugin):
    @listen_to("ping", needs_mention=True)
    async def ping(self, message: Message) -> None:
        self.driver.reply_to(message, f"pong to {message.sender_name}")


def main() -> None:
    url, port, token, team = sys.argv[1:5]
    webhook_port = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    plugins: list[Plugin] = [Pong()]
    if webhook_port:
        plugins.append(WebHookExample())
    bot = Bot(
        settings=Settings(
            MATTERMOST_URL=url,
            MATTERMOST_PORT=int(port),
            BOT_TOKEN=token,
            BOT_TEAM=team,
            SSL_VERIFY=False,
            WEBHOOK_HOST_ENABLED=bool(webhook_port),
            WEBHOOK_HOST_URL="http://127.0.0.1",
            WEBHOOK_HOST_PORT=webhook_port or 8579,
        ),
        plugins=plugins,
    )
    bot.run()


if __name__ == "__main__":
    main()
