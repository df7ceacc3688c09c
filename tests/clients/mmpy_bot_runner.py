"""Runs an unmodified mmpy_bot 2.2.1 bot with one plugin, as a separate process.

Usage: python mmpy_bot_runner.py <http://host> <port> <token> <team name>
"""

import sys

from mmpy_bot import Bot, Message, Plugin, Settings, listen_to


class Pong(Plugin):
    @listen_to("ping", needs_mention=True)
    async def ping(self, message: Message) -> None:
        self.driver.reply_to(message, f"pong to {message.sender_name}")


def main() -> None:
    url, port, token, team = sys.argv[1:5]
    bot = Bot(
        settings=Settings(
            MATTERMOST_URL=url,
            MATTERMOST_PORT=int(port),
            BOT_TOKEN=token,
            BOT_TEAM=team,
            SSL_VERIFY=False,
        ),
        plugins=[Pong()],
    )
    bot.run()


if __name__ == "__main__":
    main()
